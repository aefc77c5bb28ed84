namespace EdgeNode.Core.Configuration;

/// <summary>The Mqtt section. Read by OptionsReader.Mqtt.cs; every key and its default is in the README's "MQTT broker" section.</summary>
public sealed record MqttOptions
{
    /// <summary>
    /// The default topic filters a device may publish and subscribe to; <c>{device}</c> stands for its name. Home
    /// Assistant discovery (<c>&lt;prefix&gt;/&lt;component&gt;/[&lt;node_id&gt;/]&lt;object_id&gt;/config</c>) only where
    /// the node id, or the object id when there is none, is the device's own name: a device may not announce, read or
    /// delete another's discovery. A bridge that speaks for many devices gets more with `edgenode device allow`.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultDeviceTopics =
    [
        "{device}/#", "tele/{device}/#", "stat/{device}/#", "cmnd/{device}/#", "shellies/{device}/#",
        "homie/5/{device}/#", "homie/{device}/#", "homeassistant/+/{device}/#", "esphome/discover/{device}",
    ];

    /// <summary>
    /// What stock firmware subscribes to beyond its own topics, read-only: Tasmota's group topic and its fallback topic
    /// (<c>cmnd/&lt;client id&gt;_fb</c>; <c>{clientid}</c> is the connection's MQTT client id), Home Assistant's and
    /// ESPHome's "announce yourself again" topics, Homie's broadcasts. None of them carries another device's data.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultDeviceSubscribeTopics =
    [
        "cmnd/tasmotas/#", "cmnd/{clientid}_fb/#", "homeassistant/status", "esphome/discover", "esphome/ping/{device}",
        "homie/5/$broadcast/#", "homie/$broadcast/#",
    ];

    /// <summary>
    /// Filters whose '+' levels the first device account to publish there takes for itself (kept as its publish grant,
    /// shown by `edgenode device acl`): Tasmota's discovery is named by the device's MAC, which nobody knows up front.
    /// Another account publishing under a claimed MAC is refused.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultDeviceClaimTopics = ["tasmota/discovery/+/#"];

    public required int Port { get; init; }
    public required int TlsPort { get; init; }

    /// <summary>
    /// Networks whose clients may use the plaintext listener (Mqtt:Port); empty means it listens on loopback only, so
    /// that device passwords never cross the LAN in clear.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> AllowPlaintext { get; init; } = [];

    /// <summary>Clients on a loopback address may connect without a user name (and then have full access).</summary>
    public bool AnonymousLoopback { get; init; }

    /// <summary>The largest packet accepted and the Maximum Packet Size announced to v5 clients.</summary>
    public int MaxPacketSize { get; init; } = 1024 * 1024;

    /// <summary>QoS 1 and 2 messages in flight to one client at once (its v5 Receive Maximum lowers it).</summary>
    public int MaxInflight { get; init; } = 20;

    /// <summary>QoS 1 and 2 messages queued for one session beyond the in-flight window; newer ones are dropped when it is full.</summary>
    public int MaxQueuedMessages { get; init; } = 1000;

    /// <summary>The longest a disconnected persistent session is kept (also for MQTT 3.1.1 clean session 0).</summary>
    public TimeSpan MaxSessionExpiry { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How often the $SYS topics are published; zero switches them off.</summary>
    public TimeSpan SysInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The Topic Alias Maximum announced to v5 clients (aliases they may use towards the broker).</summary>
    public int TopicAliasMaximum { get; init; } = 16;

    /// <summary>Topic filters every device may use, with <c>{device}</c> for its name; extra grants come from `edgenode device allow`.</summary>
    public IReadOnlyList<string> DeviceTopics { get; init; } = DefaultDeviceTopics;

    /// <summary>Topic filters every device may subscribe to but not publish to (<c>{device}</c>, <c>{clientid}</c>).</summary>
    public IReadOnlyList<string> DeviceSubscribeTopics { get; init; } = DefaultDeviceSubscribeTopics;

    /// <summary>Filters a device account claims a '+' level of by publishing there first.</summary>
    public IReadOnlyList<string> DeviceClaimTopics { get; init; } = DefaultDeviceClaimTopics;

    /// <summary>
    /// The longest keep-alive a client may use. A 5.0 client asking for 0 or more is told this as Server Keep Alive; a
    /// 3.1.1 client asking for 0 or more is closed after 1.5 times this without a packet.
    /// </summary>
    public TimeSpan MaxKeepAlive { get; init; } = TimeSpan.FromSeconds(600);

    /// <summary>Bytes (topic, payload, properties) of the QoS 1 and 2 messages held for one session; newer ones are dropped beyond it.</summary>
    public int MaxQueuedBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Persistent sessions one account (device name; all anonymous clients count as one) may keep.</summary>
    public int MaxSessionsPerAccount { get; init; } = 32;

    /// <summary>Subscriptions one session may hold; a SUBSCRIBE entry beyond it is refused (5.0: 0x97, 3.1.1: 0x80).</summary>
    public int MaxSubscriptionsPerSession { get; init; } = 1000;

    /// <summary>Subscriptions all sessions of one account (device name; all anonymous clients count as one) may hold.</summary>
    public int MaxSubscriptionsPerAccount { get; init; } = 10_000;

    /// <summary>Retained messages one account may have stored.</summary>
    public int MaxRetainedPerAccount { get; init; } = 10_000;

    /// <summary>Bytes of retained messages (topic, payload, properties) one account may have stored.</summary>
    public int MaxRetainedBytesPerAccount { get; init; } = 16 * 1024 * 1024;

    /// <summary>Retained messages the node stores in all.</summary>
    public int MaxRetained { get; init; } = 100_000;

    /// <summary>Bytes of retained messages the node stores in all.</summary>
    public int MaxRetainedBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>The bridge to an external broker; null when Mqtt:Upstream:Host is not set.</summary>
    public MqttUpstreamOptions? Upstream { get; init; }
}

/// <summary>Mqtt:Upstream, the bridge client's connection to an external broker.</summary>
public sealed record MqttUpstreamOptions
{
    public required string Host { get; init; }
    public required int Port { get; init; }
    public bool Tls { get; init; } = true;

    /// <summary>A PEM file of the CA (or the self-signed certificate) that the upstream broker's certificate must chain to; null for the system's roots.</summary>
    public string? CaFile { get; init; }

    public string? Username { get; init; }
    public string? Password { get; init; }
    public required string ClientId { get; init; }

    /// <summary>4 (MQTT 3.1.1) or 5 (MQTT 5.0).</summary>
    public int ProtocolVersion { get; init; } = 5;

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Filters subscribed on the upstream broker; what arrives is handed to the node and published on the embedded broker.</summary>
    public IReadOnlyList<string> Topics { get; init; } = ["#"];

    /// <summary>Filters of the embedded broker whose messages are forwarded upstream.</summary>
    public IReadOnlyList<string> Publish { get; init; } = [];

    /// <summary>QoS of the upstream subscriptions (and the most used when forwarding).</summary>
    public int Qos { get; init; } = 1;

    /// <summary>MQTT 5.0 Session Expiry Interval asked of the upstream broker, so QoS 1 messages wait for a reconnect.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(1);

    public TimeSpan ReconnectMin { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(60);
}
