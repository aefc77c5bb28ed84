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
/// The topics one logged-in client may use: filters it may publish to, and filters it may subscribe within.
/// Built once at CONNECT; checking a PUBLISH compares bytes and allocates nothing.
/// </summary>
public sealed class MqttAccess
{
    private static readonly byte[] SysFilter = "$SYS/#"u8.ToArray();
    private readonly byte[][] _publish;
    private readonly byte[][] _subscribe;

    private MqttAccess(bool unrestricted, byte[][] publish, byte[][] subscribe)
    {
        Unrestricted = unrestricted;
        _publish = publish;
        _subscribe = subscribe;
    }

    /// <summary>Anonymous loopback clients (when allowed) and the node itself.</summary>
    public static MqttAccess Everything { get; } = new(true, [], []);

    public bool Unrestricted { get; }

    /// <summary>The device's grants: the configured templates with its name filled in, plus its own rows.</summary>
    public static MqttAccess ForDevice(string device, IEnumerable<string> templates, IEnumerable<(MqttAccessKind Kind, string Filter)> grants)
    {
        var publish = new List<byte[]>();
        var subscribe = new List<byte[]> { SysFilter };
        foreach (string template in templates)
        {
            byte[] filter = Encoding.UTF8.GetBytes(template.Replace("{device}", device, StringComparison.Ordinal));
            publish.Add(filter);
            subscribe.Add(filter);
        }

        foreach ((MqttAccessKind kind, string filter) in grants)
        {
            (kind == MqttAccessKind.Publish ? publish : subscribe).Add(Encoding.UTF8.GetBytes(filter));
        }

        return new MqttAccess(false, [.. publish], [.. subscribe]);
    }

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
