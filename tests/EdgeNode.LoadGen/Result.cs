using System.Text.Json.Serialization;

namespace EdgeNode.LoadGen;

/// <summary>
/// One scenario run, printed as one JSON line. Figures a scenario does not measure stay null and are left out,
/// so the same record serves every verb and the report reads them all with one context.
/// </summary>
internal sealed class ScenarioResult
{
    public string Scenario { get; set; } = "";
    public string System { get; set; } = "";
    /// <summary>ok, unsupported (the server does not offer it yet) or failed (the harness or the server broke).</summary>
    public string Status { get; set; } = "ok";
    public string? Message { get; set; }
    public int? Clients { get; set; }
    public int? Publishers { get; set; }
    public int? Subscribers { get; set; }
    public int? Qos { get; set; }
    /// <summary>Publishes per second across all publishers when paced; null when they send as fast as they can.</summary>
    public int? Rate { get; set; }
    public int? MqttVersion { get; set; }
    public double? Seconds { get; set; }
    public long? Sent { get; set; }
    /// <summary>Deliveries within the measured window.</summary>
    public long? Delivered { get; set; }
    /// <summary>Deliveries the whole run's publishes owe: each publish times the subscribers whose filters match it.</summary>
    public long? Expected { get; set; }
    /// <summary>Deliveries that arrived over the whole run, including the drain after the last publish.</summary>
    public long? Received { get; set; }
    /// <summary>Expected less received: messages the server dropped (negative: duplicates).</summary>
    public long? Lost { get; set; }
    public double? MsgsPerSecond { get; set; }
    public double? P50Ms { get; set; }
    public double? P99Ms { get; set; }
    public double? ServerCpuSeconds { get; set; }
    public double? CpuSecondsPer10k { get; set; }
    public double? MsgsPerCpuSecond { get; set; }
    public long? RssBeforeKib { get; set; }
    public long? RssAfterKib { get; set; }
    public long? RssPeakKib { get; set; }
    public long? HwmKib { get; set; }
    public long? RssAnonKib { get; set; }
    public long? RssFileKib { get; set; }
    public double? RssPerConnectionKib { get; set; }
    public int? Connections { get; set; }
    public int? ConnectionsAlive { get; set; }
    public double? LoginSeconds { get; set; }
    public long? Stalls { get; set; }
    public double? ReadyMs { get; set; }
    public long? BinaryBytes { get; set; }
    public string? Version { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ScenarioResult))]
internal sealed partial class LoadGenJson : JsonSerializerContext;
