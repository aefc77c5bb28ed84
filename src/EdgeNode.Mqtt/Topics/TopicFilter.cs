namespace EdgeNode.Mqtt.Topics;

/// <summary>One filter against one topic, and one filter against another, without a tree (for ACLs and retained messages).</summary>
public static class TopicFilter
{
    /// <summary>True when the plain (valid) <paramref name="filter"/> matches the topic name, the '$' rule included.</summary>
    public static bool Matches(ReadOnlySpan<byte> filter, ReadOnlySpan<byte> topic)
    {
        if (topic.IsEmpty || filter.IsEmpty)
        {
            return false;
        }

        if (topic[0] == (byte)'$' && filter[0] is (byte)'+' or (byte)'#')
        {
            return false;
        }

        while (true)
        {
            int fs = filter.IndexOf((byte)'/');
            ReadOnlySpan<byte> fl = fs < 0 ? filter : filter[..fs];
            if (fl.Length == 1 && fl[0] == (byte)'#')
            {
                return true;
            }

            int ts = topic.IndexOf((byte)'/');
            ReadOnlySpan<byte> tl = ts < 0 ? topic : topic[..ts];
            if (!(fl.Length == 1 && fl[0] == (byte)'+') && !fl.SequenceEqual(tl))
            {
                return false;
            }

            if (fs < 0 || ts < 0)
            {
                // Both must end together, except "a/#" also matching "a" (the '#' covers the parent level).
                return fs < 0 && ts < 0 || (ts < 0 && filter[(fs + 1)..].SequenceEqual("#"u8));
            }

            filter = filter[(fs + 1)..];
            topic = topic[(ts + 1)..];
        }
    }

    /// <summary>True when every topic that <paramref name="inner"/> can match is also matched by <paramref name="outer"/>.</summary>
    public static bool Covers(ReadOnlySpan<byte> outer, ReadOnlySpan<byte> inner)
    {
        if (outer.IsEmpty || inner.IsEmpty)
        {
            return false;
        }

        // A filter that starts with a wildcard never matches '$' topics, so it cannot grant a filter that names one.
        if (inner[0] == (byte)'$' && outer[0] is (byte)'+' or (byte)'#')
        {
            return false;
        }

        while (true)
        {
            int os = outer.IndexOf((byte)'/');
            ReadOnlySpan<byte> ol = os < 0 ? outer : outer[..os];
            if (ol.Length == 1 && ol[0] == (byte)'#')
            {
                return true;
            }

            int ins = inner.IndexOf((byte)'/');
            ReadOnlySpan<byte> il = ins < 0 ? inner : inner[..ins];
            bool outerPlus = ol.Length == 1 && ol[0] == (byte)'+';
            bool innerHash = il.Length == 1 && il[0] == (byte)'#';
            if (innerHash)
            {
                return false;
            }

            if (!outerPlus && !ol.SequenceEqual(il))
            {
                return false;
            }

            if (os < 0 || ins < 0)
            {
                return os < 0 && ins < 0 || (ins < 0 && outer[(os + 1)..].SequenceEqual("#"u8));
            }

            outer = outer[(os + 1)..];
            inner = inner[(ins + 1)..];
        }
    }
}
