using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.LoadGen;

/// <summary>
/// `soak`: the whole node under a steady, mixed load for many minutes, sampled once a minute from outside, to show
/// that its resources stay flat: idle XMPP connections, chat pairs, MQTT devices reporting Tasmota telemetry (whose
/// owner's XMPP client gets the readings), and Matrix users in one room, each sending now and then and all syncing.
/// Every figure is the node's: RSS, open descriptors and threads from /proc, its managed heap from its own
/// <c>$SYS/broker/heap/current</c>, and the size of its SQLite files. <see cref="SoakReport"/> writes the table.
/// </summary>
internal static class SoakScenario
{
    private sealed class Counter : IXmppSink, IMqttSink
    {
        public long Chat;
        public long Headlines;
        public long Heap = -1;

        /// <summary>The devices' owner, who gets nothing but their readings.</summary>
        public required string Owner;

        public void OnBody(XmppClient client, ReadOnlySpan<byte> body)
        {
            if (client.User == Owner) Interlocked.Increment(ref Headlines);
            else if (Clock.TryFindStamp(body, out _)) Interlocked.Increment(ref Chat);
        }

        public void OnPublish(MqttClient client, ReadOnlySpan<byte> topic, in ReadOnlySequence<byte> payload)
        {
            if (topic.SequenceEqual("$SYS/broker/heap/current"u8)
                && System.Buffers.Text.Utf8Parser.TryParse(payload.ToArray(), out long bytes, out _))
            {
                Interlocked.Exchange(ref Heap, bytes);
            }
        }

        public void OnPubAck(MqttClient client, ushort packetId) { }
    }

    public static async Task<ScenarioResult> RunAsync(Args args)
    {
        var common = Common.From(args, 0);
        var xmpp = new XmppTarget(common.Host, args.Int("xmpp-port", 5222), args.Str("domain", "localhost"));
        int mqttPort = args.Int("mqtt-port", 1883);
        string matrixUrl = $"http://{common.Host}:{args.Int("http-port", 8008)}";
        string prefix = args.Str("prefix", "bench");
        string password = args.Str("password", "bench-password");
        string owner = args.Str("owner", "benchowner0");
        int idle = args.Int("idle", 5000), pairs = args.Int("pairs", 50), devices = args.Int("devices", 1000), matrixUsers = args.Int("matrix-users", 20);
        double deviceInterval = args.Double("device-interval", 10), chatInterval = args.Double("chat-interval", 1), matrixInterval = args.Double("matrix-interval", 10);
        double minutes = args.Double("minutes", 60), sampleSeconds = args.Double("sample-seconds", 60);
        string dataDir = args.Str("data-dir", ".");
        string samplesPath = args.Str("samples", "soak-samples.jsonl");
        double warmup = args.Double("warmup-minutes", Math.Clamp(Math.Round(minutes / 3), 1, 10));
        string? doc = args.OptionalStr("doc");
        string? preamble = args.OptionalStr("preamble");
        args.RejectUnknown();

        ulong needed = (ulong)(idle + 2 * pairs + devices + matrixUsers) + 1024;
        ulong limit = Native.RaiseOpenFileLimit(needed);
        if (limit < needed) throw new UsageException($"the open-file limit is {limit}, too low for {needed - 1024} connections");

        using var life = new CancellationTokenSource(TimeSpan.FromMinutes(minutes + 30));
        var counter = new Counter { Owner = owner };
        var xmppClients = new List<XmppClient>();
        var mqttClients = new List<MqttClient>();
        var matrix = new List<MatrixUser>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(life.Token);
        var tasks = new List<Task>();
        string? failure = null;
        int xmppDropped = 0, mqttDropped = 0;
        void Fail(string what) => failure ??= what;
        try
        {
            // Accounts: prefix0.. the chat pairs, then the Matrix users, then the idle connections.
            Console.Error.WriteLine($"soak: logging in {2 * pairs} chat clients, the device owner and {idle} idle XMPP connections");
            async Task<XmppClient> Login(string user)
            {
                XmppClient c = await XmppClient.ConnectAsync(xmpp, user, password, register: false, presence: true, life.Token);
                Task reader = Task.Run(async () =>
                {
                    try { await c.RunAsync(counter, stop.Token); }
                    catch (Exception e) when (!stop.IsCancellationRequested) { Interlocked.Increment(ref xmppDropped); Fail($"XMPP {c.User}: {e.Message}"); }
                });
                lock (xmppClients)
                {
                    xmppClients.Add(c);
                    tasks.Add(reader);
                }

                return c;
            }

            XmppClient[] chat = await Parallel2.MapAsync(2 * pairs, 16, i => Login($"{prefix}{i}"));
            await Login(owner);
            await Parallel2.MapAsync(idle, 32, i => Login($"{prefix}{2 * pairs + matrixUsers + i}"));

            Console.Error.WriteLine($"soak: connecting {devices} MQTT devices and logging in {matrixUsers} Matrix users");
            MqttClient[] devs = await Parallel2.MapAsync(devices, 16, async d =>
            {
                MqttClient c = await MqttClient.ConnectAsync(new MqttTarget(common.Host, mqttPort, null, null), $"soakdev{d}", MqttProtocolVersion.V500, life.Token);
                lock (mqttClients) mqttClients.Add(c);
                c.Tag = d;
                return c;
            });
            MqttClient heap = await MqttClient.ConnectAsync(new MqttTarget(common.Host, mqttPort, null, null), "soak-stats", MqttProtocolVersion.V500, life.Token);
            mqttClients.Add(heap);
            await heap.SubscribeAsync(["$SYS/broker/heap/current"], MqttQos.AtMostOnce, life.Token);
            tasks.Add(Task.Run(async () =>
            {
                try { await heap.RunAsync(counter, stop.Token); }
                catch (Exception e) when (!stop.IsCancellationRequested) { Fail($"MQTT $SYS reader: {e.Message}"); }
            }));

            using var http = new HttpClient { BaseAddress = new Uri(matrixUrl), Timeout = TimeSpan.FromSeconds(90) };
            for (int i = 0; i < matrixUsers; i++) matrix.Add(await MatrixUser.LoginAsync(http, $"{prefix}{2 * pairs + i}", password, life.Token));
            string room = await matrix[0].CreateRoomAsync(life.Token);
            foreach (MatrixUser u in matrix.Skip(1)) await u.JoinAsync(room, life.Token);

            // The load, until the run ends.
            long runStart = Clock.Now;
            long reports = 0, chatSent = 0;
            tasks.AddRange(devs.Select(dev => Task.Run(async () =>
            {
                byte[] topic = Encoding.UTF8.GetBytes($"tele/soakdev{dev.Tag}/SENSOR");
                var buffer = new ArrayBufferWriter<byte>(256);
                var interval = TimeSpan.FromSeconds(deviceInterval);
                try
                {
                    await Task.Delay(TimeSpan.FromTicks(interval.Ticks * dev.Tag / Math.Max(1, devices)), stop.Token); // spread, as real devices are
                    // Online, retained, as Tasmota announces itself: the device's contact becomes available to its owner.
                    MqttPacketWriter.WritePublish(buffer, MqttProtocolVersion.V500, new MqttPublishHeader(MqttQos.AtMostOnce, 0, Retain: true),
                        Encoding.UTF8.GetBytes($"tele/soakdev{dev.Tag}/LWT"), "Online"u8.ToArray());
                    await dev.SendAsync(buffer.WrittenMemory, stop.Token);
                    using var timer = new PeriodicTimer(interval);
                    int reading = 0;
                    do
                    {
                        buffer.ResetWrittenCount();
                        string json = $"{{\"SI7021\":{{\"Temperature\":{20 + (reading++ % 10)}.5,\"Humidity\":45.0}},\"Bench\":{{\"Sent\":{Clock.Now - runStart}}},\"TempUnit\":\"C\"}}";
                        MqttPacketWriter.WritePublish(buffer, MqttProtocolVersion.V500, new MqttPublishHeader(), topic, Encoding.UTF8.GetBytes(json));
                        await dev.SendAsync(buffer.WrittenMemory, stop.Token);
                        Interlocked.Increment(ref reports);
                    }
                    while (await timer.WaitForNextTickAsync(stop.Token));
                }
                catch (Exception e) when (!stop.IsCancellationRequested) { Interlocked.Increment(ref mqttDropped); Fail($"MQTT soakdev{dev.Tag}: {e.Message}"); }
                catch (OperationCanceledException) { }
            })));
            tasks.AddRange(chat.Select((c, i) => Task.Run(async () =>
            {
                try
                {
                    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(chatInterval));
                    while (await timer.WaitForNextTickAsync(stop.Token))
                    {
                        await c.SendAsync($"<message type='chat' to='{chat[i ^ 1].BareJid}'><body>t={Clock.Now}</body></message>", stop.Token);
                        Interlocked.Increment(ref chatSent);
                    }
                }
                catch (Exception e) when (!stop.IsCancellationRequested) { Fail($"XMPP chat {c.User}: {e.Message}"); }
                catch (OperationCanceledException) { }
            })));
            tasks.AddRange(matrix.Select(u => Task.Run(() => u.SyncLoopAsync(Fail, stop.Token))));
            tasks.AddRange(matrix.Select(u => Task.Run(() => u.SendLoopAsync(room, TimeSpan.FromSeconds(matrixInterval), Fail, stop.Token))));

            // Samples: one at the start, then one a minute (the load's pacing, not a synchronisation).
            await using var probe = new ServerProbe(common.ServerPid);
            var samples = new List<SoakSample>();
            await using var samplesFile = new StreamWriter(samplesPath, append: false);
            long end = Clock.After(runStart, minutes * 60);
            for (int n = 0; ; n++)
            {
                long due = Clock.After(runStart, n * sampleSeconds);
                if (due > end + Clock.After(0, 1)) break;
                long wait = due - Clock.Now;
                if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait / (double)System.Diagnostics.Stopwatch.Frequency), life.Token);
                if (!probe.IsAlive) { Fail("the node exited"); break; }
                // The $SYS reader only listens: a PINGREQ keeps its keep-alive.
                await heap.SendAsync(new byte[] { 0xC0, 0x00 }, life.Token);
                var sample = SoakSample.Take(probe, common.ServerPid, dataDir, Clock.Seconds(runStart, Clock.Now) / 60, Interlocked.Read(ref counter.Heap),
                    Interlocked.Read(ref reports), Interlocked.Read(ref counter.Headlines), Interlocked.Read(ref chatSent), Interlocked.Read(ref counter.Chat),
                        matrix.Sum(u => u.Sent), matrix.Sum(u => u.Received), xmppClients.Count - Volatile.Read(ref xmppDropped), mqttClients.Count - Volatile.Read(ref mqttDropped));
                samples.Add(sample);
                await samplesFile.WriteLineAsync(sample.ToJson());
                await samplesFile.FlushAsync(life.Token);
                Console.Error.WriteLine($"soak: {sample.Summary()}");
                if (failure is not null) break;
            }

            await stop.CancelAsync();
            await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            var result = new ScenarioResult { Scenario = "soak", System = common.Label, Seconds = Math.Round(Clock.Seconds(runStart, Clock.Now), 1), Connections = idle + 2 * pairs + 1 + devices };
            if (failure is not null) { result.Status = "failed"; result.Message = failure; }
            else if (samples.Count < 2) { result.Status = "failed"; result.Message = "fewer than two samples"; }
            else if (samples[^1].Headlines == 0) { result.Status = "failed"; result.Message = "no device reading reached the owner's XMPP client"; }
            else if (doc is not null)
            {
                SoakReport.Write(doc, SoakReport.Markdown(samples, warmup, preamble is null ? "" : await File.ReadAllTextAsync(preamble, life.Token)));
            }

            return result;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(xmppClients.Select(c => c.DisposeAsync().AsTask()).Concat(mqttClients.Select(c => c.DisposeAsync().AsTask())));
        }
    }
}

/// <summary>A Matrix user of the soak run: logs in with the account's password, sends into the room and long-polls /sync.</summary>
internal sealed class MatrixUser(HttpClient http, string token)
{
    private long _sent;
    private long _received;
    private int _txn;

    public long Sent => Interlocked.Read(ref _sent);

    public long Received => Interlocked.Read(ref _received);

    public static async Task<MatrixUser> LoginAsync(HttpClient http, string user, string password, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["type"] = "m.login.password",
            ["identifier"] = new JsonObject { ["type"] = "m.id.user", ["user"] = user },
            ["password"] = password,
        };
        JsonNode answer = await CallAsync(http, null, HttpMethod.Post, "/_matrix/client/v3/login", body, ct);
        return new MatrixUser(http, (string)answer["access_token"]!);
    }

    public async Task<string> CreateRoomAsync(CancellationToken ct) =>
        (string)(await CallAsync(http, token, HttpMethod.Post, "/_matrix/client/v3/createRoom", new JsonObject { ["preset"] = "public_chat" }, ct))["room_id"]!;

    public Task JoinAsync(string room, CancellationToken ct) =>
        CallAsync(http, token, HttpMethod.Post, $"/_matrix/client/v3/join/{Uri.EscapeDataString(room)}", new JsonObject(), ct);

    public async Task SendLoopAsync(string room, TimeSpan interval, Action<string> fail, CancellationToken ct)
    {
        try
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(ct))
            {
                string path = $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(room)}/send/m.room.message/soak{Interlocked.Increment(ref _txn)}";
                await CallAsync(http, token, HttpMethod.Put, path, new JsonObject { ["msgtype"] = "m.text", ["body"] = $"t={Clock.Now}" }, ct);
                Interlocked.Increment(ref _sent);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested) { fail($"Matrix send: {e.Message}"); }
        catch (OperationCanceledException) { }
    }

    public async Task SyncLoopAsync(Action<string> fail, CancellationToken ct)
    {
        string? since = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                string query = since is null ? "?timeout=0" : $"?timeout=30000&since={Uri.EscapeDataString(since)}";
                JsonNode answer = await CallAsync(http, token, HttpMethod.Get, "/_matrix/client/v3/sync" + query, null, ct);
                if (since is not null && answer["rooms"]?["join"] is JsonObject joined)
                {
                    foreach ((string _, JsonNode? room) in joined)
                    {
                        if (room?["timeline"]?["events"] is JsonArray events) Interlocked.Add(ref _received, events.Count);
                    }
                }

                since = (string)answer["next_batch"]!;
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested) { fail($"Matrix sync: {e.Message}"); }
        catch (OperationCanceledException) { }
    }

    private static async Task<JsonNode> CallAsync(HttpClient http, string? token, HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.SendAsync(request, ct);
        string text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new IOException($"{method} {path.Split('?')[0]}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text) ?? throw new IOException($"{method} {path}: empty answer");
    }
}
