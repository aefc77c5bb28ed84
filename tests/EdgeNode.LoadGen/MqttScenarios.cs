using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.LoadGen;

/// <summary>MQTT fan-out: P publishers, S subscribers on overlapping wildcard filters.</summary>
internal static class MqttScenarios
{
    internal static MqttTarget Target(Args args, Common common, string portOption = "port") =>
        new(common.Host, args.Int(portOption, 1883), args.OptionalStr("user"), args.OptionalStr("password"));

    internal static MqttProtocolVersion Version(int v) => v switch
    {
        4 or 311 => MqttProtocolVersion.V311,
        5 or 500 => MqttProtocolVersion.V500,
        _ => throw new UsageException("--mqtt-version is 4 (3.1.1) or 5"),
    };

    /// <summary>A publisher's window: deliveries it still expects, and the signal that enough of them arrived.</summary>
    private sealed class Publisher
    {
        public required MqttClient Client;
        public required byte[] Topic;
        public required int Fanout;
        public long Pending;
        public long LowMark;
        public long PubAcks;
        public long Sent;
        public readonly SemaphoreSlim Signal = new(0);

        public void Delivered()
        {
            if (Interlocked.Decrement(ref Pending) == LowMark) Signal.Release();
        }
    }

    private sealed class FanoutState : IMqttSink
    {
        public required Publisher[] Publishers;
        public required Histogram Latency;
        public long RunStart;
        public long WindowStart;
        public long WindowEnd;
        public long Received;
        public long InWindow;

        public void OnPublish(MqttClient client, ReadOnlySpan<byte> topic, in ReadOnlySequence<byte> payload)
        {
            long now = Clock.Now;
            Span<byte> head = stackalloc byte[12];
            if (payload.Length < head.Length) return;
            payload.Slice(0, head.Length).CopyTo(head);
            long sent = BinaryPrimitives.ReadInt64LittleEndian(head);
            int index = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
            if (sent < RunStart || (uint)index >= (uint)Publishers.Length) return;
            Interlocked.Increment(ref Received);
            Publishers[index].Delivered();
            if (now >= WindowStart && now <= WindowEnd)
            {
                Interlocked.Increment(ref InWindow);
                Latency.Record(Clock.Micros(sent, now));
            }
        }

        public void OnPubAck(MqttClient client, ushort packetId) => Interlocked.Increment(ref Publishers[client.Tag].PubAcks);
    }

    /// <summary>Subscriber s's filter: four kinds that overlap, so one message reaches many subscribers by different routes.</summary>
    internal static string FilterFor(string prefix, int s, int groups) => (s % 4) switch
    {
        0 => $"{prefix}/#",
        1 => $"{prefix}/+/+/data",
        2 => $"{prefix}/g{s % groups}/#",
        _ => $"{prefix}/g{s % groups}/+/data",
    };

    internal static string TopicFor(string prefix, int p, int groups) => $"{prefix}/g{p % groups}/p{p}/data";

    /// <summary>MQTT topic matching for the harness's own bookkeeping (how many deliveries each publish makes).</summary>
    internal static bool Matches(string filter, string topic)
    {
        string[] f = filter.Split('/'), t = topic.Split('/');
        for (int i = 0; i < f.Length; i++)
        {
            if (f[i] == "#") return true;
            if (i >= t.Length) return false;
            if (f[i] != "+" && f[i] != t[i]) return false;
        }

        return f.Length == t.Length;
    }

    public static async Task<ScenarioResult> FanoutAsync(Args args)
    {
        var common = Common.From(args, 10);
        MqttTarget target = Target(args, common);
        int publishers = args.Int("publishers", 50);
        int subscribers = args.Int("subscribers", 50);
        var qos = (MqttQos)args.Int("qos", 0);
        int versionNumber = args.Int("mqtt-version", 5);
        MqttProtocolVersion version = Version(versionNumber);
        int window = Math.Max(2, args.Int("window", 8));
        int groups = Math.Max(1, args.Int("groups", 5));
        int payloadSize = Math.Max(12, args.Int("payload", 64));
        // Paced: this many publishes per second across all publishers (each its share), so that latency is measured
        // below saturation; 0 sends as fast as the window allows.
        int rate = Math.Max(0, args.Int("rate", 0));
        string prefix = args.Str("topic-prefix", "bench");
        args.RejectUnknown();
        if (qos is not (MqttQos.AtMostOnce or MqttQos.AtLeastOnce)) throw new UsageException("--qos is 0 or 1");

        using var life = new CancellationTokenSource(TimeSpan.FromSeconds(common.Seconds + common.Warmup + 120));
        var connected = new List<MqttClient>();
        async Task<MqttClient> Connect(string id)
        {
            MqttClient c = await MqttClient.ConnectAsync(target, id, version, life.Token);
            lock (connected) connected.Add(c);
            return c;
        }

        try
        {
            string[] filters = Enumerable.Range(0, subscribers).Select(s => FilterFor(prefix, s, groups)).ToArray();
            MqttClient[] subs = await Parallel2.MapAsync(subscribers, 16, async s =>
            {
                MqttClient c = await Connect($"lg-sub-{s}");
                await c.SubscribeAsync([filters[s]], qos, life.Token);
                return c;
            });
            Publisher[] pubs = await Parallel2.MapAsync(publishers, 16, async p =>
            {
                MqttClient c = await Connect($"lg-pub-{p}");
                c.Tag = p;
                string topic = TopicFor(prefix, p, groups);
                int fanout = filters.Count(f => Matches(f, topic));
                return new Publisher { Client = c, Topic = Encoding.UTF8.GetBytes(topic), Fanout = fanout, LowMark = (window / 2) * fanout };
            });

            var state = new FanoutState { Publishers = pubs, Latency = new Histogram() };
            await using var probe = new ServerProbe(common.ServerPid);
            using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(life.Token);
            string? failure = null;
            Task[] readers = subs.Concat(pubs.Select(p => p.Client)).Select(c => Task.Run(async () =>
            {
                try { await c.RunAsync(state, stopReading.Token); }
                catch (Exception e) when (!stopReading.IsCancellationRequested) { failure ??= $"{c.ClientId}: {e.Message}"; }
            })).ToArray();

            state.RunStart = Clock.Now;
            state.WindowStart = Clock.After(state.RunStart, common.Warmup);
            state.WindowEnd = Clock.After(state.WindowStart, common.Seconds);
            double? cpu0 = null, cpu1 = null;
            Task measure = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(common.Warmup), life.Token);
                cpu0 = probe.CpuSeconds();
                probe.StartSampling();
                await Task.Delay(TimeSpan.FromSeconds(common.Seconds), life.Token);
                cpu1 = probe.CpuSeconds();
            });

            long sent = 0, stalls = 0;
            Task[] senders = pubs.Select(pub => Task.Run(async () =>
            {
                var buffer = new ArrayBufferWriter<byte>(window * (payloadSize + pub.Topic.Length + 16));
                byte[] payload = new byte[payloadSize];
                ushort packetId = 0;
                long lastProgress = Clock.Now;
                long pacedStart = Clock.Now, pacedSent = 0;
                double perSecond = rate > 0 ? (double)rate / publishers : 0;
                while (Clock.Now < state.WindowEnd && failure is null)
                {
                    if (pub.Fanout == 0) break;
                    long pending = Volatile.Read(ref pub.Pending);
                    int n = (int)(((long)window * pub.Fanout - pending) / pub.Fanout);
                    if (perSecond > 0)
                    {
                        // A token bucket: what this publisher's share allows by now, less what it sent.
                        long due = (long)(Clock.Seconds(pacedStart, Clock.Now) * perSecond) - pacedSent;
                        if (due <= 0)
                        {
                            await Task.Delay(1, life.Token);
                            continue;
                        }

                        n = (int)Math.Min(n, due);
                    }
                    if (n <= 0)
                    {
                        if (await pub.Signal.WaitAsync(200, life.Token)) { lastProgress = Clock.Now; continue; }
                        if (Clock.Seconds(lastProgress, Clock.Now) > 1)
                        {
                            // QoS 0 may drop; forget what did not come so the publisher does not stall forever.
                            Interlocked.Increment(ref stalls);
                            Interlocked.Exchange(ref pub.Pending, 0);
                            lastProgress = Clock.Now;
                        }

                        continue;
                    }

                    buffer.ResetWrittenCount();
                    long stamp = Clock.Now;
                    BinaryPrimitives.WriteInt64LittleEndian(payload, stamp);
                    BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(8), pub.Client.Tag);
                    for (int k = 0; k < n; k++)
                    {
                        if (qos == MqttQos.AtLeastOnce && ++packetId == 0) packetId = 1;
                        MqttPacketWriter.WritePublish(buffer, version, new MqttPublishHeader(qos, qos == MqttQos.AtLeastOnce ? packetId : (ushort)0), pub.Topic, payload);
                    }

                    Interlocked.Add(ref pub.Pending, (long)n * pub.Fanout);
                    await pub.Client.SendAsync(buffer.WrittenMemory, life.Token);
                    Interlocked.Add(ref sent, n);
                    pub.Sent += n;
                    pacedSent += n;
                    lastProgress = Clock.Now;
                }
            })).ToArray();

            await Task.WhenAll(senders);
            await measure;
            // Every delivery the publishes owe (each publish times the subscribers it matches); the servers get time to
            // deliver what is still on its way, until none is missing or nothing has arrived for 2 s.
            long expected = pubs.Sum(p => p.Sent * p.Fanout);
            long lastReceived = Interlocked.Read(ref state.Received), quietSince = Clock.Now;
            while (Interlocked.Read(ref state.Received) < expected && failure is null && Clock.Seconds(quietSince, Clock.Now) < 2)
            {
                await Task.Delay(20);
                long now = Interlocked.Read(ref state.Received);
                if (now != lastReceived) { lastReceived = now; quietSince = Clock.Now; }
            }

            long received = Interlocked.Read(ref state.Received);
            long? peak = probe.PeakKib, hwm = probe.HwmKib();
            stopReading.Cancel();
            await Task.WhenAll(readers);

            long delivered = state.InWindow;
            double? cpu = cpu0 is null || cpu1 is null ? null : cpu1 - cpu0;
            var result = new ScenarioResult
            {
                Scenario = "mqtt-fanout", System = common.Label, Publishers = publishers, Subscribers = subscribers, Qos = (int)qos,
                MqttVersion = versionNumber, Seconds = common.Seconds, Sent = sent, Delivered = delivered, Rate = rate > 0 ? rate : null,
                MsgsPerSecond = Math.Round(delivered / common.Seconds, 1), P50Ms = state.Latency.QuantileMs(0.5), P99Ms = state.Latency.QuantileMs(0.99),
                ServerCpuSeconds = XmppScenarios.Round(cpu), CpuSecondsPer10k = delivered > 0 && cpu is not null ? XmppScenarios.Round(cpu * 10_000 / delivered) : null,
                MsgsPerCpuSecond = cpu is > 0 ? Math.Round(delivered / cpu.Value, 0) : null, RssPeakKib = peak, HwmKib = hwm, Stalls = stalls,
                Expected = expected, Received = received, Lost = expected - received,
            };
            if (failure is not null) { result.Status = "failed"; result.Message = failure; }
            else if (delivered == 0) { result.Status = "failed"; result.Message = "no message was delivered"; }
            else if (qos == MqttQos.AtLeastOnce && pubs.Sum(p => Interlocked.Read(ref p.PubAcks)) == 0) { result.Status = "failed"; result.Message = "no PUBACK came back"; }
            return result;
        }
        finally
        {
            await Task.WhenAll(connected.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
