using System.Globalization;
using System.Text;

namespace EdgeNode.LoadGen;

/// <summary>
/// `bridge-chat`: people on one node who use different protocols, in pairs, one message at a time at a fixed total
/// rate. --direction xmpp-matrix: each sender is an XMPP client writing to a partner who uses Matrix only and syncs
/// (the node makes their direct room on first contact; the partner joins on the invite). matrix-xmpp: each sender is a
/// Matrix client that opened a direct chat with a partner who uses XMPP only. xmpp-xmpp: both XMPP, the same pacing
/// (the reference). Latency is send to receive, from the "t=" stamp in each body; before the run each pair exchanges
/// a first message until it arrives, so room making and joining are not measured. Only EdgeNode does this (no anchor).
/// </summary>
internal static class BridgeScenario
{
    private sealed class State : IXmppSink, IMatrixSink
    {
        public required Histogram Latency;
        public required bool[] Primed;
        public long RunStart;
        public long WindowStart = long.MaxValue;
        public long WindowEnd = long.MaxValue;
        public long Received;
        public long InWindow;

        public void OnBody(XmppClient client, ReadOnlySpan<byte> body) => Record(client.Tag, body);

        public void OnBody(MatrixClient client, string roomId, string sender, string body) => Record(client.Tag, Encoding.UTF8.GetBytes(body));

        private void Record(int pair, ReadOnlySpan<byte> body)
        {
            long now = Clock.Now;
            if (body.StartsWith("hello"u8))
            {
                Volatile.Write(ref Primed[pair], true);
                return;
            }

            if (!Clock.TryFindStamp(body, out long sent) || sent < RunStart) return;
            Interlocked.Increment(ref Received);
            if (now >= WindowStart && now <= WindowEnd)
            {
                Interlocked.Increment(ref InWindow);
                Latency.Record(Clock.Micros(sent, now));
            }
        }
    }

    /// <summary>One side of a pair, whichever protocol it speaks.</summary>
    private sealed class Party : IAsyncDisposable
    {
        public XmppClient? Xmpp;
        public MatrixClient? Matrix;
        public string Room = "";

        public async ValueTask DisposeAsync()
        {
            if (Xmpp is not null) await Xmpp.DisposeAsync();
            Matrix?.Dispose();
        }
    }

    public static async Task<ScenarioResult> RunAsync(Args args)
    {
        string direction = args.Str("direction", "xmpp-matrix");
        try
        {
            return await RunAsync(args, direction);
        }
        catch (NotSupportedByServerException e)
        {
            // Named by direction, so that the report puts it in its column.
            return new ScenarioResult { Scenario = "bridge-" + direction, System = args.Str("label", "server"), Status = "unsupported", Message = e.Message };
        }
    }

    private static async Task<ScenarioResult> RunAsync(Args args, string direction)
    {
        var common = Common.From(args, 10);
        var xmpp = new XmppTarget(common.Host, args.Int("xmpp-port", 5222), args.Str("domain", "localhost"));
        var matrix = new MatrixTarget(common.Host, args.Int("http-port", 8008), xmpp.Domain);
        int pairs = Math.Max(1, args.Int("pairs", 10));
        double rate = args.Double("rate", 500);
        int first = args.Int("first", 0);
        string prefix = args.Str("prefix", "bench");
        string password = args.Str("password", "bench-password");
        double primeTimeout = args.Double("first-timeout", 20);
        args.RejectUnknown();
        (bool senderXmpp, bool receiverXmpp) = direction switch
        {
            "xmpp-matrix" => (true, false),
            "matrix-xmpp" => (false, true),
            "xmpp-xmpp" => (true, true),
            _ => throw new UsageException($"--direction: '{direction}' is none of xmpp-matrix, matrix-xmpp, xmpp-xmpp"),
        };

        using var life = new CancellationTokenSource(TimeSpan.FromSeconds(common.Seconds + common.Warmup + primeTimeout + 180));
        var state = new State { Latency = new Histogram(), Primed = new bool[pairs] };
        var parties = new List<Party>();
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(life.Token);
        var readers = new List<Task>();
        string? failure = null;
        try
        {
            // Receivers first, reading, so that nothing sent to them is missed; then the senders.
            Party[] receivers = await Parallel2.MapAsync(pairs, 8, async i =>
            {
                var p = new Party();
                lock (parties) parties.Add(p);
                string user = $"{prefix}{first + (2 * i) + 1}";
                if (receiverXmpp) { p.Xmpp = await XmppClient.ConnectAsync(xmpp, user, password, register: false, presence: true, life.Token); p.Xmpp.Tag = i; }
                else { p.Matrix = await MatrixClient.LoginAsync(matrix, user, password, life.Token); p.Matrix.Tag = i; }
                return p;
            });
            foreach (Party r in receivers)
            {
                readers.Add(Task.Run(async () =>
                {
                    try
                    {
                        if (r.Xmpp is not null) await r.Xmpp.RunAsync(state, stopReading.Token);
                        else await r.Matrix!.RunAsync(state, stopReading.Token);
                    }
                    catch (Exception e) when (!stopReading.IsCancellationRequested) { failure ??= $"receiver: {e.GetType().Name}: {e.Message}"; }
                }));
            }

            Party[] senders = await Parallel2.MapAsync(pairs, 8, async i =>
            {
                var p = new Party();
                lock (parties) parties.Add(p);
                string user = $"{prefix}{first + (2 * i)}";
                string partner = $"{prefix}{first + (2 * i) + 1}";
                if (senderXmpp)
                {
                    p.Xmpp = await XmppClient.ConnectAsync(xmpp, user, password, register: false, presence: true, life.Token);
                    p.Room = $"{partner}@{xmpp.Domain}";
                    Task reading = Task.Run(async () =>
                    {
                        try { await p.Xmpp.RunAsync(new Ignore(), stopReading.Token); }
                        catch (Exception e) when (!stopReading.IsCancellationRequested) { failure ??= $"sender: {e.GetType().Name}: {e.Message}"; }
                    });
                    lock (readers) readers.Add(reading);
                }
                else
                {
                    p.Matrix = await MatrixClient.LoginAsync(matrix, user, password, life.Token);
                    p.Room = await p.Matrix.DirectRoomAsync($"@{partner}:{xmpp.Domain}", life.Token);
                }

                return p;
            });

            // Each pair says hello until the partner has it: the room exists and is joined, the path is warm.
            long primeDeadline = Clock.After(Clock.Now, primeTimeout);
            await Parallel2.MapAsync(pairs, pairs, async i =>
            {
                while (!Volatile.Read(ref state.Primed[i]) && failure is null)
                {
                    if (Clock.Now > primeDeadline)
                        throw new NotSupportedByServerException($"a first {direction} message did not arrive within {primeTimeout} s: the node does not carry it yet");
                    await SendAsync(senders[i], "hello", life.Token);
                    for (int w = 0; w < 20 && !Volatile.Read(ref state.Primed[i]); w++) await Task.Delay(25, life.Token);
                }

                return 0;
            });
            if (failure is not null) throw new IOException(failure);

            await using var probe = new ServerProbe(common.ServerPid);
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

            long sent = 0;
            double interval = pairs / Math.Max(0.01, rate);
            Task[] sending = senders.Select((s, i) => Task.Run(async () =>
            {
                long start = Clock.After(state.RunStart, interval * i / pairs);
                for (long k = 0; failure is null; k++)
                {
                    long due = Clock.After(start, interval * k);
                    long now = Clock.Now;
                    if (due > state.WindowEnd) break;
                    if (due > now) await Task.Delay(TimeSpan.FromSeconds(Clock.Seconds(now, due)), life.Token);
                    await SendAsync(s, "t=" + Clock.Now.ToString(CultureInfo.InvariantCulture), life.Token);
                    Interlocked.Increment(ref sent);
                }
            })).ToArray();

            await Task.WhenAll(sending);
            await measure;
            long drainUntil = Clock.After(Clock.Now, 3);
            while (Interlocked.Read(ref state.Received) < Interlocked.Read(ref sent) && Clock.Now < drainUntil && failure is null) await Task.Delay(20);
            long? peak = probe.PeakKib, hwm = probe.HwmKib();
            long delivered = state.InWindow, received = Interlocked.Read(ref state.Received);
            double? cpu = cpu0 is null || cpu1 is null ? null : cpu1 - cpu0;
            var result = new ScenarioResult
            {
                Scenario = "bridge-" + direction, System = common.Label, Clients = pairs * 2, Rate = (int)rate, Seconds = common.Seconds,
                Sent = sent, Delivered = delivered, Received = received, Expected = sent, Lost = sent - received,
                MsgsPerSecond = Math.Round(delivered / common.Seconds, 1),
                P50Ms = state.Latency.QuantileMs(0.50), P99Ms = state.Latency.QuantileMs(0.99),
                ServerCpuSeconds = XmppScenarios.Round(cpu),
                CpuSecondsPer10k = delivered > 0 && cpu is not null ? XmppScenarios.Round(cpu * 10_000 / delivered) : null,
                MsgsPerCpuSecond = cpu is > 0 ? Math.Round(delivered / cpu.Value, 0) : null, RssPeakKib = peak, HwmKib = hwm,
            };
            if (failure is not null) { result.Status = "failed"; result.Message = failure; }
            else if (delivered == 0) { result.Status = "failed"; result.Message = "no message was delivered in the measured window"; }
            return result;
        }
        finally
        {
            stopReading.Cancel();
            await Task.WhenAll(readers.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            await Task.WhenAll(parties.Select(p => p.DisposeAsync().AsTask()));
        }
    }

    private static async Task SendAsync(Party sender, string text, CancellationToken ct)
    {
        if (sender.Xmpp is { } x)
        {
            await x.SendAsync($"<message type='chat' to='{sender.Room}'><body>{text}</body></message>", ct);
        }
        else
        {
            await sender.Matrix!.SendTextAsync(sender.Room, text, ct);
        }
    }

    private sealed class Ignore : IXmppSink
    {
        public void OnBody(XmppClient client, ReadOnlySpan<byte> body) { }
    }
}
