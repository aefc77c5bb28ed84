using System.Buffers;
using System.Text;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.LoadGen;

/// <summary>
/// `device-telemetry`: D simulated devices publish Tasmota-style telemetry over MQTT; their owners' XMPP clients
/// should receive it as messages. Each report carries its send time as a sensor value of its own ("Bench": {"Sent":
/// ticks since the run started}, a number as a real sensor field is), which the node passes on like any reading
/// ("Bench Sent 123456" in the message body). Only EdgeNode can do this (no anchor).
/// </summary>
internal static class DeviceScenario
{
    private sealed class OwnerSink : IXmppSink
    {
        public required Histogram Latency;
        public long RunStart;
        public long WindowStart;
        public long WindowEnd;
        public long Received;
        public long InWindow;

        public void OnBody(XmppClient client, ReadOnlySpan<byte> body)
        {
            long now = Clock.Now;
            if (!TryFindSent(body, out long sinceStart)) return;
            long sent = RunStart + sinceStart;
            Interlocked.Increment(ref Received);
            if (now >= WindowStart && now <= WindowEnd)
            {
                Interlocked.Increment(ref InWindow);
                Latency.Record(Clock.Micros(sent, now));
            }
        }
    }

    /// <summary>
    /// The send time the node rendered from the report's "Bench": {"Sent": N} sensor: "Bench Sent N" in the older
    /// wording, "sent N" since readings are labelled.
    /// </summary>
    internal static bool TryFindSent(ReadOnlySpan<byte> body, out long ticks)
    {
        ticks = 0;
        int at = body.LastIndexOf("Bench Sent "u8);
        int length = "Bench Sent "u8.Length;
        if (at < 0)
        {
            at = body.LastIndexOf("sent "u8);
            length = "sent "u8.Length;
        }

        return at >= 0 && System.Buffers.Text.Utf8Parser.TryParse(body[(at + length)..], out ticks, out int used) && used > 0;
    }

    public static async Task<ScenarioResult> RunAsync(Args args)
    {
        var common = Common.From(args, 10);
        var xmpp = new XmppTarget(common.Host, args.Int("xmpp-port", 5222), args.Str("domain", "localhost"));
        int devices = args.Int("devices", 500);
        int owners = Math.Max(1, args.Int("owners", 50));
        double rate = args.Double("rate", 1);
        string ownerPrefix = args.Str("prefix", "bench");
        string password = args.Str("password", "bench-password");
        string devicePrefix = args.Str("device-prefix", "dev");
        string devicePassword = args.Str("device-password", "device-password");
        int mqttPort = args.Int("mqtt-port", 1883);
        int versionNumber = args.Int("mqtt-version", 5);
        MqttProtocolVersion version = MqttScenarios.Version(versionNumber);
        double noTelemetryTimeout = args.Double("first-timeout", 5);
        args.RejectUnknown();

        using var life = new CancellationTokenSource(TimeSpan.FromSeconds(common.Seconds + common.Warmup + 180));
        var sink = new OwnerSink { Latency = new Histogram() };
        XmppClient[] ownerClients = [];
        var deviceClients = new List<MqttClient>();
        try
        {
            ownerClients = await Parallel2.MapAsync(owners, 16, i => XmppClient.ConnectAsync(xmpp, $"{ownerPrefix}{i}", password, register: false, presence: true, life.Token));
            MqttClient[] devs = await Parallel2.MapAsync(devices, 16, async d =>
            {
                var target = new MqttTarget(common.Host, mqttPort, $"{devicePrefix}{d}", devicePassword);
                MqttClient c = await MqttClient.ConnectAsync(target, $"{devicePrefix}{d}", version, life.Token);
                lock (deviceClients) deviceClients.Add(c);
                c.Tag = d;
                return c;
            });

            await using var probe = new ServerProbe(common.ServerPid);
            using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(life.Token);
            string? failure = null;
            Task[] readers = ownerClients.Select(c => Task.Run(async () =>
            {
                try { await c.RunAsync(sink, stopReading.Token); }
                catch (Exception e) when (!stopReading.IsCancellationRequested) { failure ??= $"{c.User}: {e.Message}"; }
            })).ToArray();

            sink.RunStart = Clock.Now;
            sink.WindowStart = Clock.After(sink.RunStart, common.Warmup);
            sink.WindowEnd = Clock.After(sink.WindowStart, common.Seconds);
            double? cpu0 = null, cpu1 = null;
            Task measure = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(common.Warmup), life.Token);
                cpu0 = probe.CpuSeconds();
                probe.StartSampling();
                await Task.Delay(TimeSpan.FromSeconds(common.Seconds), life.Token);
                cpu1 = probe.CpuSeconds();
            });

            long sent = 0;
            var interval = TimeSpan.FromSeconds(1 / Math.Max(0.01, rate));
            Task[] senders = devs.Select(dev => Task.Run(async () =>
            {
                byte[] topic = Encoding.UTF8.GetBytes($"tele/{devicePrefix}{dev.Tag}/SENSOR");
                var buffer = new ArrayBufferWriter<byte>(256);
                // Spread the devices over the interval, as real devices are not synchronised.
                await Task.Delay(TimeSpan.FromTicks(interval.Ticks * dev.Tag / Math.Max(1, devices)), life.Token);
                using var timer = new PeriodicTimer(interval);
                int reading = 0;
                do
                {
                    buffer.ResetWrittenCount();
                    string json = $"{{\"Time\":\"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss}\",\"SI7021\":{{\"Temperature\":{20 + (reading++ % 10)}.5,\"Humidity\":45.0}},\"Bench\":{{\"Sent\":{Clock.Now - sink.RunStart}}},\"TempUnit\":\"C\"}}";
                    MqttPacketWriter.WritePublish(buffer, version, new MqttPublishHeader(), topic, Encoding.UTF8.GetBytes(json));
                    await dev.SendAsync(buffer.WrittenMemory, life.Token);
                    Interlocked.Increment(ref sent);
                }
                while (Clock.Now < sink.WindowEnd && failure is null && await timer.WaitForNextTickAsync(life.Token));
            })).ToArray();

            // A node without device support never answers; say so early instead of waiting out the whole run.
            long firstDeadline = Clock.After(sink.RunStart, noTelemetryTimeout);
            while (Interlocked.Read(ref sink.Received) == 0 && Clock.Now < firstDeadline && failure is null) await Task.Delay(50, life.Token);
            if (Interlocked.Read(ref sink.Received) == 0 && failure is null)
            {
                stopReading.Cancel();
                await life.CancelAsync();
                await Task.WhenAll(senders.Concat(readers).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
                throw new NotSupportedByServerException(
                    $"no telemetry reached the owners' XMPP clients within {noTelemetryTimeout} s of {Interlocked.Read(ref sent)} publishes: "
                    + "the node does not turn device telemetry into chat messages yet");
            }

            await Task.WhenAll(senders);
            await measure;
            long drainUntil = Clock.After(Clock.Now, 2);
            while (Interlocked.Read(ref sink.Received) < Interlocked.Read(ref sent) && Clock.Now < drainUntil) await Task.Delay(20);
            long? peak = probe.PeakKib, hwm = probe.HwmKib();
            stopReading.Cancel();
            await Task.WhenAll(readers);

            long delivered = sink.InWindow;
            double? cpu = cpu0 is null || cpu1 is null ? null : cpu1 - cpu0;
            var result = new ScenarioResult
            {
                Scenario = "device-telemetry", System = common.Label, Clients = owners, Publishers = devices, MqttVersion = versionNumber,
                Seconds = common.Seconds, Sent = sent, Delivered = delivered, MsgsPerSecond = Math.Round(delivered / common.Seconds, 1),
                P50Ms = sink.Latency.QuantileMs(0.5), P99Ms = sink.Latency.QuantileMs(0.99), ServerCpuSeconds = XmppScenarios.Round(cpu),
                CpuSecondsPer10k = delivered > 0 && cpu is not null ? XmppScenarios.Round(cpu * 10_000 / delivered) : null,
                MsgsPerCpuSecond = cpu is > 0 ? Math.Round(delivered / cpu.Value, 0) : null, RssPeakKib = peak, HwmKib = hwm,
            };
            if (failure is not null) { result.Status = "failed"; result.Message = failure; }
            return result;
        }
        finally
        {
            await Task.WhenAll(ownerClients.Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()).Concat(deviceClients.Select(c => c.DisposeAsync().AsTask())));
        }
    }
}
