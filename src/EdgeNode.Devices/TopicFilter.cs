namespace EdgeNode.Devices;

/// <summary>MQTT topic filter matching (MQTT 5.0 section 4.7), for routing messages to the adapters that asked for them.</summary>
public static class TopicFilter
{
    public static bool Matches(string filter, string topic)
    {
        // Topics starting with '$' are not matched by a leading wildcard (section 4.7.2).
        if (topic.StartsWith('$') && (filter.StartsWith('+') || filter.StartsWith('#'))) return false;
        var f = 0;
        var t = 0;
        while (f < filter.Length)
        {
            var fEnd = filter.IndexOf('/', f);
            if (fEnd < 0) fEnd = filter.Length;
            var level = filter.AsSpan(f, fEnd - f);
            if (level is "#") return true;
            if (t > topic.Length) return false;
            var tEnd = topic.IndexOf('/', t);
            if (tEnd < 0) tEnd = topic.Length;
            if (level is not "+" && !level.SequenceEqual(topic.AsSpan(t, tEnd - t))) return false;
            f = fEnd + 1;
            t = tEnd + 1;
        }
        return t > topic.Length;
    }

    /// <summary>A topic name a client may publish to: non-empty, no wildcards, no NUL (section 4.7.3).</summary>
    public static bool IsValidTopicName(string topic) =>
        topic.Length is > 0 and <= 65535 && topic.AsSpan().IndexOfAny('+', '#', '\0') < 0;
}
