namespace EdgeNode.Core.Configuration;

public sealed partial class OptionsReader
{
    private static readonly string[] MqttKeys =
        ["Port", "TlsPort", "AllowPlaintext", "AnonymousLoopback", "MaxPacketSize", "MaxInflight", "MaxQueuedMessages", "MaxSessionExpirySeconds",
         "SysIntervalSeconds", "TopicAliasMaximum", "DeviceTopics", "DeviceSubscribeTopics", "DeviceClaimTopics", "Upstream", "MaxKeepAliveSeconds", "MaxQueuedBytes", "MaxSessionsPerAccount",
         "MaxRetainedPerAccount", "MaxRetainedBytesPerAccount", "MaxRetained", "MaxRetainedBytes",
         "MaxSubscriptionsPerSession", "MaxSubscriptionsPerAccount"];

    private static readonly string[] MqttUpstreamKeys =
        ["Host", "Port", "Tls", "CaFile", "Username", "Password", "ClientId", "ProtocolVersion", "KeepAliveSeconds", "Topics", "Publish",
         "Qos", "SessionExpirySeconds", "ReconnectMinSeconds", "ReconnectMaxSeconds"];

    private MqttOptions ReadMqtt() => new()
    {
        Port = ReadPort("Mqtt:Port", 1883),
        TlsPort = ReadPort("Mqtt:TlsPort", 8883),
        AllowPlaintext = ReadList("Mqtt:AllowPlaintext", ParseNetwork),
        AnonymousLoopback = ReadBool("Mqtt:AnonymousLoopback", false),
        MaxPacketSize = ReadInt("Mqtt:MaxPacketSize", 1024 * 1024, 128, 268_435_460),
        MaxInflight = ReadInt("Mqtt:MaxInflight", 20, 1, 65535),
        MaxQueuedMessages = ReadInt("Mqtt:MaxQueuedMessages", 1000, 0, 1_000_000),
        MaxSessionExpiry = ReadSeconds("Mqtt:MaxSessionExpirySeconds", TimeSpan.FromDays(30), 0, int.MaxValue),
        SysInterval = ReadSeconds("Mqtt:SysIntervalSeconds", TimeSpan.FromSeconds(10), 0, 86400),
        TopicAliasMaximum = ReadInt("Mqtt:TopicAliasMaximum", 16, 0, 65535),
        DeviceTopics = ReadDeviceTopics("Mqtt:DeviceTopics", MqttOptions.DefaultDeviceTopics),
        DeviceSubscribeTopics = ReadDeviceTopics("Mqtt:DeviceSubscribeTopics", MqttOptions.DefaultDeviceSubscribeTopics),
        DeviceClaimTopics = ReadDeviceTopics("Mqtt:DeviceClaimTopics", MqttOptions.DefaultDeviceClaimTopics),
        MaxKeepAlive = ReadSeconds("Mqtt:MaxKeepAliveSeconds", TimeSpan.FromSeconds(600), 5, 65535),
        MaxQueuedBytes = ReadInt("Mqtt:MaxQueuedBytes", 16 * 1024 * 1024, 0, int.MaxValue),
        MaxSessionsPerAccount = ReadInt("Mqtt:MaxSessionsPerAccount", 32, 0, 1_000_000),
        MaxSubscriptionsPerSession = ReadInt("Mqtt:MaxSubscriptionsPerSession", 1000, 1, 1_000_000),
        MaxSubscriptionsPerAccount = ReadInt("Mqtt:MaxSubscriptionsPerAccount", 10_000, 1, 10_000_000),
        MaxRetainedPerAccount = ReadInt("Mqtt:MaxRetainedPerAccount", 10_000, 0, 10_000_000),
        MaxRetainedBytesPerAccount = ReadInt("Mqtt:MaxRetainedBytesPerAccount", 16 * 1024 * 1024, 0, int.MaxValue),
        MaxRetained = ReadInt("Mqtt:MaxRetained", 100_000, 0, 10_000_000),
        MaxRetainedBytes = ReadInt("Mqtt:MaxRetainedBytes", 64 * 1024 * 1024, 0, int.MaxValue),
        Upstream = ReadUpstream(),
    };

    private IReadOnlyList<string> ReadDeviceTopics(string key, IReadOnlyList<string> defaults)
    {
        if (_config.GetSection(key).Value is null && !_config.GetSection(key).GetChildren().Any()) return defaults;
        return ReadList(key, ParseFilter);
    }

    private MqttUpstreamOptions? ReadUpstream()
    {
        var host = ReadOptionalString("Mqtt:Upstream:Host");
        if (host is null)
        {
            if (_config.GetSection("Mqtt:Upstream").GetChildren().Any(c => !c.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)))
                _problems.Add("Mqtt:Upstream:Host: must be set when other Mqtt:Upstream settings are");
            return null;
        }

        var tls = ReadBool("Mqtt:Upstream:Tls", true);
        var port = ReadPort("Mqtt:Upstream:Port", tls ? 8883 : 1883);
        if (port == 0)
        {
            _problems.Add("Mqtt:Upstream:Port: must not be 0");
        }

        var caFile = ReadOptionalString("Mqtt:Upstream:CaFile");
        if (caFile is not null && !File.Exists(caFile)) _problems.Add($"Mqtt:Upstream:CaFile: no file at '{caFile}'");
        var version = ReadInt("Mqtt:Upstream:ProtocolVersion", 5, 4, 5);
        var clientId = ReadOptionalString("Mqtt:Upstream:ClientId") ?? "edgenode-" + (_config["Node:Domain"] ?? "localhost");
        if (clientId.Length > 65535) _problems.Add("Mqtt:Upstream:ClientId: is too long");
        var username = ReadOptionalString("Mqtt:Upstream:Username");
        var password = ReadOptionalString("Mqtt:Upstream:Password");
        if (password is not null && username is null && version == 4)
            _problems.Add("Mqtt:Upstream:Password: MQTT 3.1.1 needs Mqtt:Upstream:Username with a password");
        var min = ReadSeconds("Mqtt:Upstream:ReconnectMinSeconds", TimeSpan.FromSeconds(1), 1, 3600);
        var max = ReadSeconds("Mqtt:Upstream:ReconnectMaxSeconds", TimeSpan.FromSeconds(60), 1, 86400);
        if (max < min) _problems.Add("Mqtt:Upstream:ReconnectMaxSeconds: must not be less than Mqtt:Upstream:ReconnectMinSeconds");
        var topicsSection = _config.GetSection("Mqtt:Upstream:Topics");
        IReadOnlyList<string> topics = topicsSection.Value is null && !topicsSection.GetChildren().Any() ? ["#"] : ReadList("Mqtt:Upstream:Topics", ParseFilter);
        return new MqttUpstreamOptions
        {
            Host = host,
            Port = port,
            Tls = tls,
            CaFile = caFile,
            Username = username,
            Password = password,
            ClientId = clientId,
            ProtocolVersion = version,
            KeepAlive = ReadSeconds("Mqtt:Upstream:KeepAliveSeconds", TimeSpan.FromSeconds(60), 5, 65535),
            Topics = topics,
            Publish = ReadList("Mqtt:Upstream:Publish", ParseFilter),
            Qos = ReadInt("Mqtt:Upstream:Qos", 1, 0, 2),
            SessionExpiry = ReadSeconds("Mqtt:Upstream:SessionExpirySeconds", TimeSpan.FromDays(1), 0, int.MaxValue),
            ReconnectMin = min,
            ReconnectMax = max,
        };
    }

    /// <summary>An MQTT topic filter: levels split by '/', '+' alone on a level, '#' alone on the last level.</summary>
    private static (string?, string?) ParseFilter(string text)
    {
        if (text.Length == 0) return (null, "a topic filter must not be empty");
        var levels = text.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if ((level.Contains('+') || level.Contains('#')) && level.Length != 1)
                return (null, $"'{text}' is not a topic filter ('+' and '#' must fill a whole level)");
            if (level == "#" && i != levels.Length - 1)
                return (null, $"'{text}' is not a topic filter ('#' must be the last level)");
        }
        return (text, null);
    }
}
