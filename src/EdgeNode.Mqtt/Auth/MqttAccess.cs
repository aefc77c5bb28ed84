using System.Text;
using EdgeNode.Mqtt.Topics;

namespace EdgeNode.Mqtt.Auth;

/// <summary>What a device asked for: to publish to topics, or to subscribe to filters.</summary>
public enum MqttAccessKind
{
    Publish,
    Subscribe,
}

/// <summary>
/// The topics one logged-in client may use: filters it may publish to, filters it may subscribe within, and claimable
/// filters (<see cref="ClaimFor"/>). Built once at CONNECT; checking a PUBLISH compares bytes and allocates nothing.
/// </summary>
public sealed class MqttAccess
{
    private static readonly byte[] SysFilter = "$SYS/#"u8.ToArray();
    private byte[][] _publish;
    private readonly byte[][] _subscribe;
    private readonly string[] _claims;

    private MqttAccess(bool unrestricted, byte[][] publish, byte[][] subscribe, string[] claims)
    {
        Unrestricted = unrestricted;
        _publish = publish;
        _subscribe = subscribe;
        _claims = claims;
    }

    /// <summary>Anonymous loopback clients (when allowed) and the node itself.</summary>
    public static MqttAccess Everything { get; } = new(true, [], [], []);

    public bool Unrestricted { get; }

    /// <summary>The device's grants: the configured templates with its name filled in, plus its own rows.</summary>
    public static MqttAccess ForDevice(string device, IEnumerable<string> templates, IEnumerable<(MqttAccessKind Kind, string Filter)> grants) =>
        ForDevice(device, null, templates, [], [], grants);

    /// <summary>
    /// The device's grants: <paramref name="templates"/> (publish and subscribe) and <paramref name="subscribeOnly"/> with
    /// <c>{device}</c> and <c>{clientid}</c> filled in, its own rows, and <paramref name="claims"/>: filters whose '+'
    /// levels the first device to publish there takes for itself (see <see cref="ClaimFor"/>). A template naming
    /// <c>{clientid}</c> is left out when the client id could not stand in a topic level ('/', '+', '#', empty).
    /// </summary>
    public static MqttAccess ForDevice(string device, string? clientId, IEnumerable<string> templates, IEnumerable<string> subscribeOnly,
        IEnumerable<string> claims, IEnumerable<(MqttAccessKind Kind, string Filter)> grants)
    {
        var publish = new List<byte[]>();
        var subscribe = new List<byte[]> { SysFilter };
        foreach (string template in templates)
        {
            if (Fill(template, device, clientId) is not { } filter) continue;
            publish.Add(filter);
            subscribe.Add(filter);
        }

        foreach (string template in subscribeOnly)
        {
            if (Fill(template, device, clientId) is { } filter) subscribe.Add(filter);
        }

        foreach ((MqttAccessKind kind, string filter) in grants)
        {
            (kind == MqttAccessKind.Publish ? publish : subscribe).Add(Encoding.UTF8.GetBytes(filter));
        }

        return new MqttAccess(false, [.. publish], [.. subscribe], [.. claims]);
    }

    private static byte[]? Fill(string template, string device, string? clientId)
    {
        string filled = template.Replace("{device}", device, StringComparison.Ordinal);
        if (filled.Contains("{clientid}", StringComparison.Ordinal))
        {
            if (string.IsNullOrEmpty(clientId) || clientId.AsSpan().IndexOfAny('/', '+', '#') >= 0 || clientId.Contains('\0'))
            {
                return null;
            }

            filled = filled.Replace("{clientid}", clientId, StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(filled);
    }

    /// <summary>
    /// The filter a device would claim by publishing to <paramref name="topic"/>: the first claim template that matches,
    /// with its '+' levels replaced by the topic's (<c>tasmota/discovery/+/#</c> and
    /// <c>tasmota/discovery/A4CF12345678/config</c> give <c>tasmota/discovery/A4CF12345678/#</c>); null when none matches.
    /// </summary>
    public string? ClaimFor(ReadOnlySpan<byte> topic)
    {
        if (Unrestricted || _claims.Length == 0)
        {
            return null;
        }

        foreach (string claim in _claims)
        {
            if (!TopicFilter.Matches(Encoding.UTF8.GetBytes(claim), topic))
            {
                continue;
            }

            string[] levels = Encoding.UTF8.GetString(topic).Split('/');
            string[] pattern = claim.Split('/');
            for (int i = 0; i < pattern.Length && i < levels.Length; i++)
            {
                if (pattern[i] == "+")
                {
                    pattern[i] = levels[i];
                }
            }

            return string.Join('/', pattern);
        }

        return null;
    }

    /// <summary>Adds a publish filter to this connection's access (a claim just made); the connection's own thread only.</summary>
    public void AddPublish(string filter) => _publish = [.. _publish, Encoding.UTF8.GetBytes(filter)];

    /// <summary>Clients never publish to '$' topics (the broker's own, such as $SYS).</summary>
    public bool MayPublish(ReadOnlySpan<byte> topic)
    {
        if (topic.IsEmpty || topic[0] == (byte)'$')
        {
            return false;
        }

        if (Unrestricted)
        {
            return true;
        }

        foreach (byte[] filter in _publish)
        {
            if (TopicFilter.Matches(filter, topic))
            {
                return true;
            }
        }

        return false;
    }

    public bool MaySubscribe(ReadOnlySpan<byte> filter)
    {
        if (Unrestricted)
        {
            return true;
        }

        if (MqttTopic.TryParseShared(filter, out _, out ReadOnlySpan<byte> inner))
        {
            filter = inner;
        }

        foreach (byte[] allowed in _subscribe)
        {
            if (TopicFilter.Covers(allowed, filter))
            {
                return true;
            }
        }

        return false;
    }
}
