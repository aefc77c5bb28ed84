using System.Text;

namespace EdgeNode.LoadGen;

/// <summary>The XMPP scenarios: accounts, the chat load between pairs, and idle connections.</summary>
internal static class XmppScenarios
{
    private static XmppTarget Target(Args args, Common common) =>
        new(common.Host, args.Int("port", 5222), args.Str("domain", "localhost"));

    /// <summary>Logs <paramref name="count"/> accounts in, bounded in parallel so that TLS handshakes do not pile up.</summary>
    private static async Task<XmppClient[]> LoginAllAsync(XmppTarget target, string prefix, string password, int first, int count, int parallel, bool register, CancellationToken ct)
    {
        var clients = new List<XmppClient>();
        try
        {
            XmppClient[] done = await Parallel2.MapAsync(count, parallel, async i =>
            {
                XmppClient c = await XmppClient.ConnectAsync(target, $"{prefix}{first + i}", password, register, presence: !register, ct);
                lock (clients) clients.Add(c);
                return c;
            });
            return done;
        }
        catch
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            throw;
        }
    }

    /// <summary>`xmpp-register`: creates accounts by in-band registration (both Prosody and EdgeNode offer it when configured to).</summary>
    public static async Task<ScenarioResult> RegisterAsync(Args args)
    {
        var common = Common.From(args, 0);
        XmppTarget target = Target(args, common);
        int count = args.Int("clients", 200);
        int first = args.Int("first", 0);
        string prefix = args.Str("prefix", "bench");
        string password = args.Str("password", "bench-password");
        int parallel = args.Int("parallel", 16);
        args.RejectUnknown();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(args.Double("timeout", 300)));
        long start = Clock.Now;
        await Parallel2.MapAsync(count, parallel, async i =>
        {
            await using XmppClient c = await XmppClient.ConnectAsync(target, $"{prefix}{first + i}", password, register: true, presence: false, timeout.Token);
            return 0;
        });
        return new ScenarioResult { Scenario = "xmpp-register", System = common.Label, Clients = count, LoginSeconds = Math.Round(Clock.Seconds(start, Clock.Now), 2) };
    }

    /// <summary>Pairs exchange chat messages as fast as a window of unanswered messages per sender allows.</summary>
    private sealed class ChatState : IXmppSink
    {
        public required XmppClient[] Clients;
        public required SemaphoreSlim[] Credits;
        public required Histogram Latency;
        public long RunStart;
        public long WindowStart;
        public long WindowEnd;
        public long Received;
        public long InWindow;

        public void OnBody(XmppClient client, ReadOnlySpan<byte> body)
        {
            long now = Clock.Now;
            // Offline messages left from an earlier run carry older stamps: not this run's traffic.
            if (!Clock.TryFindStamp(body, out long sent) || sent < RunStart) return;
            Interlocked.Increment(ref Received);
            Credits[client.Tag].Release();
            if (now >= WindowStart && now <= WindowEnd)
            {
                Interlocked.Increment(ref InWindow);
                Latency.Record(Clock.Micros(sent, now));
            }
        }
    }

    /// <summary>`xmpp-chat`: N clients in pairs exchange messages at full speed for T seconds.</summary>
    public static async Task<ScenarioResult> ChatAsync(Args args)
    {
        var common = Common.From(args, 10);
        XmppTarget target = Target(args, common);
        int count = args.Int("clients", 200) & ~1;
        string prefix = args.Str("prefix", "bench");
        string password = args.Str("password", "bench-password");
        int window = args.Int("window", 8);
        int parallel = args.Int("login-parallel", 16);
        args.RejectUnknown();
        if (count < 2) throw new UsageException("--clients must be at least 2");

        using var life = new CancellationTokenSource(TimeSpan.FromSeconds(common.Seconds + common.Warmup + 240));
        long loginStart = Clock.Now;
        XmppClient[] clients = await LoginAllAsync(target, prefix, password, 0, count, parallel, register: false, life.Token);
        double loginSeconds = Clock.Seconds(loginStart, Clock.Now);
        await using var probe = new ServerProbe(common.ServerPid);
        var state = new ChatState
        {
            Clients = clients,
            Credits = clients.Select(_ => new SemaphoreSlim(window)).ToArray(),
            Latency = new Histogram(),
        };
        for (int i = 0; i < count; i++) clients[i].Tag = i ^ 1; // partner: 0<->1, 2<->3, ...

        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(life.Token);
        string? failure = null;
        Task[] readers = clients.Select(c => Task.Run(async () =>
        {
            try { await c.RunAsync(state, stopReading.Token); }
            catch (Exception e) when (!stopReading.IsCancellationRequested) { failure ??= $"{c.User}: {e.Message}"; }
        })).ToArray();

        state.RunStart = Clock.Now;
        state.WindowStart = Clock.After(state.RunStart, common.Warmup);
        state.WindowEnd = Clock.After(state.WindowStart, common.Seconds);
        long sent = 0;
        double? cpu0 = null, cpu1 = null;
        Task measure = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(common.Warmup), life.Token);
            cpu0 = probe.CpuSeconds();
            probe.StartSampling();
            await Task.Delay(TimeSpan.FromSeconds(common.Seconds), life.Token);
            cpu1 = probe.CpuSeconds();
        });

        Task[] senders = clients.Select((c, i) => Task.Run(async () =>
        {
            byte[] head = Encoding.UTF8.GetBytes($"<message type='chat' to='{clients[i ^ 1].BareJid}'><body>t=");
            byte[] tail = "</body></message>"u8.ToArray();
            byte[] buffer = new byte[window * (head.Length + tail.Length + 24)];
            SemaphoreSlim credits = state.Credits[i];
            while (Clock.Now < state.WindowEnd && failure is null)
            {
                if (!await credits.WaitAsync(200, life.Token)) continue;
                int n = 1;
                while (n < window && credits.Wait(0)) n++;
                int length = 0;
                long stamp = Clock.Now;
                for (int k = 0; k < n; k++)
                {
                    head.CopyTo(buffer, length);
                    length += head.Length;
                    System.Buffers.Text.Utf8Formatter.TryFormat(stamp, buffer.AsSpan(length), out int w);
                    length += w;
                    tail.CopyTo(buffer, length);
                    length += tail.Length;
                }

                await c.SendAsync(buffer.AsMemory(0, length), life.Token);
                Interlocked.Add(ref sent, n);
            }
        })).ToArray();

        await Task.WhenAll(senders);
        await measure;
        // Let what is in flight arrive (bounded), so that it does not sit in offline storage for the next run.
        long drainUntil = Clock.After(Clock.Now, 3);
        while (Interlocked.Read(ref state.Received) < Interlocked.Read(ref sent) && Clock.Now < drainUntil && failure is null) await Task.Delay(20);
        long? peak = probe.PeakKib, hwm = probe.HwmKib();
        stopReading.Cancel();
        await Task.WhenAll(readers);
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));

        long delivered = state.InWindow;
        double? cpu = cpu0 is null || cpu1 is null ? null : cpu1 - cpu0;
        var result = new ScenarioResult
        {
            Scenario = "xmpp-chat", System = common.Label, Clients = count, Seconds = common.Seconds,
            Sent = sent, Delivered = delivered, MsgsPerSecond = Math.Round(delivered / common.Seconds, 1),
            P50Ms = state.Latency.QuantileMs(0.50), P99Ms = state.Latency.QuantileMs(0.99),
            ServerCpuSeconds = Round(cpu), CpuSecondsPer10k = delivered > 0 && cpu is not null ? Round(cpu * 10_000 / delivered) : null,
            MsgsPerCpuSecond = cpu is > 0 ? Math.Round(delivered / cpu.Value, 0) : null,
            RssPeakKib = peak, HwmKib = hwm, LoginSeconds = Math.Round(loginSeconds, 2),
        };
        if (failure is not null) { result.Status = "failed"; result.Message = failure; }
        else if (delivered == 0) { result.Status = "failed"; result.Message = "no message was delivered"; }
        return result;
    }

    private sealed class IgnoreSink : IXmppSink
    {
        public void OnBody(XmppClient client, ReadOnlySpan<byte> body) { }
    }

    /// <summary>`xmpp-idle`: N authenticated connections held idle for T seconds; the server's RSS before and after.</summary>
    public static async Task<ScenarioResult> IdleAsync(Args args)
    {
        var common = Common.From(args, 10);
        XmppTarget target = Target(args, common);
        int count = args.Int("clients", 1000);
        string prefix = args.Str("prefix", "bench");
        string password = args.Str("password", "bench-password");
        int parallel = args.Int("login-parallel", 32);
        args.RejectUnknown();
        ulong limit = Native.RaiseOpenFileLimit((ulong)count + 1024);
        if (limit < (ulong)count + 64) throw new UsageException($"the open-file limit is {limit}, too low for {count} connections");

        using var life = new CancellationTokenSource(TimeSpan.FromSeconds(common.Seconds + 600));
        await using var probe = new ServerProbe(common.ServerPid);
        long? before = probe.RssKib();
        long loginStart = Clock.Now;
        XmppClient[] clients = await LoginAllAsync(target, prefix, password, 0, count, parallel, register: false, life.Token);
        double loginSeconds = Clock.Seconds(loginStart, Clock.Now);
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(life.Token);
        int dropped = 0;
        var sink = new IgnoreSink();
        Task[] readers = clients.Select(c => Task.Run(async () =>
        {
            try { await c.RunAsync(sink, stopReading.Token); }
            catch (Exception) when (!stopReading.IsCancellationRequested) { Interlocked.Increment(ref dropped); }
        })).ToArray();

        double? cpu0 = probe.CpuSeconds();
        probe.StartSampling();
        await Task.Delay(TimeSpan.FromSeconds(common.Seconds), life.Token);
        long? after = probe.RssKib();
        double? cpu1 = probe.CpuSeconds();
        long? peak = probe.PeakKib, hwm = probe.HwmKib();
        int alive = count - Volatile.Read(ref dropped);
        stopReading.Cancel();
        await Task.WhenAll(readers);
        await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));

        var result = new ScenarioResult
        {
            Scenario = "xmpp-idle", System = common.Label, Clients = count, Seconds = common.Seconds, Connections = count,
            ConnectionsAlive = alive, RssBeforeKib = before, RssAfterKib = after, RssPeakKib = peak, HwmKib = hwm,
            RssPerConnectionKib = before is null || after is null ? null : Math.Round((after.Value - before.Value) / (double)count, 2),
            ServerCpuSeconds = Round(cpu1 - cpu0), LoginSeconds = Math.Round(loginSeconds, 2),
        };
        if (alive != count) { result.Status = "failed"; result.Message = $"{count - alive} connections were dropped while idle"; }
        return result;
    }

    internal static double? Round(double? value) => value is null ? null : Math.Round(value.Value, 3);
}
