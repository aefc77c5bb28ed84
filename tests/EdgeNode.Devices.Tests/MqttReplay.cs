using System.Text;

namespace EdgeNode.Devices.Tests;

/// <summary>
/// A recorded MQTT session, one message a line: "R" (retained) or "-" (live), the topic, then the payload to the
/// end of the line (possibly empty). A topic with spaces is written in double quotes. Blank lines and lines starting with '#' are comments. A line "== name"
/// starts a named section, so one file can hold the phases of a session (discovery, telemetry, echo, offline).
/// </summary>
public sealed record MqttReplayMessage(string Topic, byte[] Payload, bool Retained);

public sealed class MqttReplay
{
    private readonly Dictionary<string, List<MqttReplayMessage>> _sections = new(StringComparer.Ordinal);

    private MqttReplay()
    {
    }

    public IReadOnlyList<MqttReplayMessage> Section(string name) => _sections[name];

    public IEnumerable<MqttReplayMessage> All => _sections.Values.SelectMany(s => s);

    public static MqttReplay Load(string path) => Parse(File.ReadAllText(path));

    public static MqttReplay Parse(string text)
    {
        var replay = new MqttReplay();
        var current = new List<MqttReplayMessage>();
        replay._sections[""] = current;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith("== ", StringComparison.Ordinal))
            {
                current = [];
                replay._sections[line[3..].Trim()] = current;
                continue;
            }
            var flagEnd = line.IndexOf(' ');
            var flag = line[..flagEnd];
            var quoted = line[flagEnd + 1] == '"';
            var topicStart = flagEnd + (quoted ? 2 : 1);
            var topicEnd = line.IndexOf(quoted ? '"' : ' ', topicStart);
            var topic = topicEnd < 0 ? line[topicStart..] : line[topicStart..topicEnd];
            var payloadStart = topicEnd < 0 ? line.Length : topicEnd + (quoted ? 2 : 1);
            var payload = payloadStart >= line.Length ? "" : line[payloadStart..];
            if (flag is not ("R" or "-")) throw new FormatException($"replay line must start with R or -: {line}");
            current.Add(new MqttReplayMessage(topic, Encoding.UTF8.GetBytes(payload), flag == "R"));
        }
        return replay;
    }

    public static int Play(DeviceGateway gateway, IEnumerable<MqttReplayMessage> messages)
    {
        var understood = 0;
        foreach (var m in messages) understood += gateway.Handle(m.Topic, m.Payload, m.Retained) > 0 ? 1 : 0;
        return understood;
    }
}
