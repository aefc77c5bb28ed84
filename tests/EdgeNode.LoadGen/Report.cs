using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EdgeNode.LoadGen;

/// <summary>
/// `report`: turns bench.sh's JSON lines into the generated section of docs/BENCHMARKS.md, between two marker
/// comments, leaving the rest of the file as it is. Each figure is the mean of a system's runs (A B A B gives two),
/// with the runs themselves in parentheses so their spread shows; the ratio is EdgeNode / anchor.
/// </summary>
internal static class Report
{
    public const string Begin = "<!-- bench.sh: begin generated section (./bench.sh rewrites everything up to the end marker) -->";
    public const string End = "<!-- bench.sh: end generated section -->";

    private sealed record Figure(string Name, Func<ScenarioResult, double?> Select, string Format, bool LowerIsBetter, bool Ratio = true);

    private static readonly Figure[] Throughput =
    [
        new("delivered msgs/s", r => r.MsgsPerSecond, "N0", false),
        new("p50 latency (ms)", r => r.P50Ms, "0.00", true),
        new("p99 latency (ms)", r => r.P99Ms, "0.00", true),
        new("server CPU-s per 10,000 msgs", r => r.CpuSecondsPer10k, "0.000", true),
        new("delivered msgs per server CPU-s", r => r.MsgsPerCpuSecond, "N0", false),
        new("peak RSS during the run (MiB)", r => r.RssPeakKib / 1024.0, "0.0", true),
    ];

    /// <summary>Throughput, and whether every message arrived: a server that drops is faster than one that does not.</summary>
    private static readonly Figure[] Fanout =
    [
        .. Throughput,
        new("deliveries expected, whole run (publishes x matching subscribers)", r => r.Expected, "N0", false, Ratio: false),
        new("deliveries received, whole run", r => r.Received, "N0", false, Ratio: false),
        new("lost: expected but never delivered", r => r.Lost, "N0", true, Ratio: false),
    ];

    private static readonly Figure[] Idle =
    [
        new("connections held", r => r.ConnectionsAlive, "N0", false),
        new("RSS before (MiB)", r => r.RssBeforeKib / 1024.0, "0.0", true),
        new("RSS with all connected (MiB)", r => r.RssAfterKib / 1024.0, "0.0", true),
        new("RSS per connection (KiB)", r => r.RssPerConnectionKib, "0.0", true),
        new("log-in time for all (s)", r => r.LoginSeconds, "0.0", true),
    ];

    private static readonly Figure[] Foot =
    [
        new("binary (MiB)", r => r.BinaryBytes / 1048576.0, "0.0", true),
        new("exec to listeners ready (ms)", r => r.ReadyMs, "0", true),
        new("idle RSS, every listener up (MiB)", r => r.RssAfterKib / 1024.0, "0.0", true),
        new("of which private (anonymous) memory (MiB)", r => r.RssAnonKib / 1024.0, "0.0", true),
        new("of which pages mapped from files: the binary, libraries (MiB)", r => r.RssFileKib / 1024.0, "0.0", true),
    ];

    public static ScenarioResult Write(Args args)
    {
        string resultsPath = args.Str("results", "");
        string docPath = args.Str("doc", "docs/BENCHMARKS.md");
        string? preamble = args.OptionalStr("preamble");
        args.RejectUnknown();
        var results = File.ReadLines(resultsPath).Where(l => l.TrimStart().StartsWith('{'))
            .Select(l => JsonSerializer.Deserialize(l, LoadGenJson.Default.ScenarioResult)!).ToList();

        var md = new StringBuilder();
        md.AppendLine(Begin);
        if (preamble is not null) md.AppendLine(File.ReadAllText(preamble).TrimEnd()).AppendLine();
        Section(md, results, "xmpp-chat", null, "XMPP chat: clients in pairs over STARTTLS, exchanging messages at full speed", ["prosody"], Throughput);
        Section(md, results, "xmpp-idle", null, "XMPP idle connections: authenticated (TLS, SCRAM-SHA-256, bound, available) and silent", ["prosody"], Idle);
        Section(md, results, "mqtt-fanout", 0, "MQTT fan-out, QoS 0: publishers and subscribers on overlapping wildcard filters", MqttAnchors, Fanout);
        Section(md, results, "mqtt-fanout", 1, "MQTT fan-out, QoS 1", MqttAnchors, Fanout);
        Section(md, results, "mqtt-fanout", 1, "MQTT fan-out, QoS 1 at a fixed rate: latency below saturation", MqttAnchors, Fanout, paced: true);
        Section(md, results, "device-telemetry", null, "Device to person: MQTT telemetry reaching the owners' XMPP clients (no anchor does this)", [], Throughput);
        BridgeSection(md, results);
        FootprintSection(md, results);
        md.AppendLine(End);

        string doc = File.Exists(docPath) ? File.ReadAllText(docPath) : "# Benchmarks\n";
        int b = doc.IndexOf(Begin, StringComparison.Ordinal), e = doc.IndexOf(End, StringComparison.Ordinal);
        string updated = b >= 0 && e > b
            ? doc[..b] + md.ToString().TrimEnd('\n') + doc[(e + End.Length)..]
            : doc.TrimEnd('\n') + "\n\n## EdgeNode beside Prosody and Mosquitto (`./bench.sh`)\n\n" + md;
        File.WriteAllText(docPath, updated);
        return new ScenarioResult { Scenario = "report", System = docPath, Message = $"{results.Count} results" };
    }

    private static string Describe(ScenarioResult r)
    {
        var parts = new List<string>();
        if (r.Clients is { } c && r.Scenario != "device-telemetry") parts.Add($"{c} clients");
        if (r.Publishers is { } p) parts.Add(r.Scenario == "device-telemetry" ? $"{p} devices, {r.Clients} owners" : $"{p} publishers");
        if (r.Subscribers is { } s) parts.Add($"{s} subscribers");
        if (r.MqttVersion is { } v) parts.Add(v == 4 ? "MQTT 3.1.1" : "MQTT 5.0");
        if (r.Rate is { } rate) parts.Add($"{rate:N0} publishes/s in all, paced");
        if (r.Seconds is { } t) parts.Add($"{t:0.#} s measured");
        return string.Join(", ", parts);
    }

    /// <summary>The MQTT anchors: Mosquitto, and MQTTnet's embedded server with its default options (tests/EdgeNode.MqttnetAnchor).</summary>
    private static readonly string[] MqttAnchors = ["mosquitto", "mqttnet"];

    private static void Section(StringBuilder md, List<ScenarioResult> all, string scenario, int? qos, string title, string[] anchorsWanted, Figure[] figures,
        bool paced = false)
    {
        var runs = all.Where(r => r.Scenario == scenario && (qos is null || r.Qos == qos || (r.Qos is null && r.Status != "ok"))
            && (r.Rate is not null) == paced).ToList();
        if (runs.Count == 0) return;
        md.AppendLine(CultureInfo.InvariantCulture, $"### {title}").AppendLine();
        ScenarioResult? sample = runs.FirstOrDefault(r => r.Status == "ok");
        if (sample is not null) md.AppendLine(CultureInfo.InvariantCulture, $"{Describe(sample)}.").AppendLine();
        // An anchor without a run here (an older results file) gets no column.
        string[] anchors = anchorsWanted.Where(a => runs.Any(r => r.System == a)).ToArray();
        string[] systems = ["edgenode", .. anchors];
        md.Append("| figure |");
        foreach (string s in systems) md.Append(CultureInfo.InvariantCulture, $" {Name(s)} |");
        foreach (string a in anchors) md.Append(anchors.Length == 1 ? " ratio |" : $" ratio to {Name(a)} |");
        md.AppendLine().Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", systems.Length + anchors.Length))).AppendLine();
        foreach (Figure f in figures)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {f.Name} |");
            double?[] means = new double?[systems.Length];
            for (int i = 0; i < systems.Length; i++)
            {
                var mine = runs.Where(r => r.System == systems[i]).ToList();
                var ok = mine.Where(r => r.Status == "ok").Select(f.Select).Where(v => v is not null).Select(v => v!.Value).ToList();
                if (ok.Count > 0)
                {
                    means[i] = ok.Average();
                    string cell = Format(means[i]!.Value, f.Format);
                    if (ok.Count > 1) cell += " (" + string.Join(" / ", ok.Select(v => Format(v, f.Format))) + ")";
                    md.Append(CultureInfo.InvariantCulture, $" {cell} |");
                }
                else
                {
                    ScenarioResult? bad = mine.FirstOrDefault(r => r.Status != "ok");
                    md.Append(bad is null ? " - |" : bad.Status == "unsupported" ? " not yet supported |" : " failed |");
                }
            }

            for (int i = 1; i < systems.Length; i++)
            {
                md.Append(f.Ratio && means[0] is { } a && means[i] is { } n && n != 0 ? $" {Format(a / n, "0.00")}x |" : " - |");
            }

            md.AppendLine();
        }

        foreach (ScenarioResult r in runs.Where(r => r.Status != "ok").DistinctBy(r => (r.System, r.Message)))
        {
            md.AppendLine().Append(CultureInfo.InvariantCulture, $"{Name(r.System)}: {(r.Status == "unsupported" ? "not yet supported" : "failed")}: {r.Message}");
        }

        md.AppendLine().AppendLine();
    }

    private static readonly Figure[] Bridge =
    [
        new("delivered msgs/s", r => r.MsgsPerSecond, "N0", false),
        new("p50 latency (ms)", r => r.P50Ms, "0.00", true),
        new("p99 latency (ms)", r => r.P99Ms, "0.00", true),
        new("server CPU per message (µs)", r => r.CpuSecondsPer10k * 100, "0", true),
        new("peak RSS during the run (MiB)", r => r.RssPeakKib / 1024.0, "0.0", true),
        new("sent, whole run", r => r.Sent, "N0", false),
        new("lost: sent but never received", r => r.Lost, "N0", true),
    ];

    /// <summary>XMPP to Matrix and back on one node, side by side, with XMPP to XMPP at the same pace as the reference.</summary>
    private static void BridgeSection(StringBuilder md, List<ScenarioResult> all)
    {
        (string Scenario, string Title)[] columns =
            [("bridge-xmpp-matrix", "XMPP -> Matrix"), ("bridge-matrix-xmpp", "Matrix -> XMPP"), ("bridge-xmpp-xmpp", "XMPP -> XMPP (reference)")];
        var runs = all.Where(r => r.Scenario.StartsWith("bridge-", StringComparison.Ordinal) && r.System == "edgenode").ToList();
        if (runs.Count == 0) return;
        md.AppendLine("### XMPP and Matrix on one node: a message from one protocol to the other (no anchor does this)").AppendLine();
        if (runs.FirstOrDefault(r => r.Status == "ok") is { } sample)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{sample.Clients / 2} pairs of people, {sample.Rate:N0} messages/s in all, paced, {sample.Seconds:0.#} s measured. ")
                + "Senders on one protocol, receivers on the other only: XMPP clients over STARTTLS, Matrix clients long-polling /sync over HTTP on loopback. "
                + "Latency is the sender's send to the receiver's read (for Matrix, the /sync answer that carries it).").AppendLine();
        }

        md.Append("| figure |");
        foreach (var c in columns) md.Append(CultureInfo.InvariantCulture, $" {c.Title} |");
        md.AppendLine().Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", columns.Length))).AppendLine();
        foreach (Figure f in Bridge)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {f.Name} |");
            foreach (var c in columns)
            {
                var mine = runs.Where(r => r.Scenario == c.Scenario).ToList();
                var ok = mine.Where(r => r.Status == "ok").Select(f.Select).Where(v => v is not null).Select(v => v!.Value).ToList();
                if (ok.Count > 0)
                {
                    string cell = Format(ok.Average(), f.Format);
                    if (ok.Count > 1) cell += " (" + string.Join(" / ", ok.Select(v => Format(v, f.Format))) + ")";
                    md.Append(CultureInfo.InvariantCulture, $" {cell} |");
                }
                else
                {
                    ScenarioResult? bad = mine.FirstOrDefault(r => r.Status != "ok");
                    md.Append(bad is null ? " - |" : bad.Status == "unsupported" ? " not yet supported |" : " failed |");
                }
            }

            md.AppendLine();
        }

        foreach (ScenarioResult r in runs.Where(r => r.Status != "ok").DistinctBy(r => (r.Scenario, r.Message)))
        {
            md.AppendLine().Append(CultureInfo.InvariantCulture, $"{r.Scenario}: {(r.Status == "unsupported" ? "not yet supported" : "failed")}: {r.Message}");
        }

        md.AppendLine().AppendLine();
    }

    private static void FootprintSection(StringBuilder md, List<ScenarioResult> all)
    {
        var runs = all.Where(r => r.Scenario == "footprint" && r.Status == "ok").ToList();
        if (runs.Count == 0) return;
        string[] systems = runs.Select(r => r.System).Distinct().ToArray();
        md.AppendLine("### Footprint").AppendLine();
        md.AppendLine("Each server started with its benchmark configuration (EdgeNode: XMPP c2s, direct TLS and s2s, Matrix client and federation, MQTT and MQTT/TLS listeners; Prosody: c2s and s2s; Mosquitto: one listener), idle RSS read 5 s after the last listener accepted (by then EdgeNode has given back what start-up allocated).").AppendLine();
        md.Append("| figure |");
        foreach (string s in systems) md.Append(CultureInfo.InvariantCulture, $" {Name(s)} |");
        md.AppendLine().Append("|---|").Append(string.Concat(Enumerable.Repeat("---|", systems.Length))).AppendLine();
        foreach (Figure f in Foot)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {f.Name} |");
            foreach (string s in systems)
            {
                var values = runs.Where(r => r.System == s).Select(f.Select).Where(v => v is not null).Select(v => v!.Value).ToList();
                md.Append(values.Count == 0 ? " - |" : $" {Format(values.Average(), f.Format)} |");
            }

            md.AppendLine();
        }

        md.AppendLine();
    }

    private static string Name(string system) => system switch
    {
        "edgenode" => "EdgeNode",
        "prosody" => "Prosody",
        "mosquitto" => "Mosquitto",
        "mqttnet" => "MQTTnet.Server",
        _ => system,
    };

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
