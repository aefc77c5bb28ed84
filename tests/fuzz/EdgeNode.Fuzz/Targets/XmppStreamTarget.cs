using System.Buffers;
using System.Text;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// The XMPP stream reader and its framing scan. Properties: no unit over the configured limits; the same
/// events whether the bytes come in one segment, in two segments, or in two deliveries (as a pipe gives them,
/// with the reader's state carried between); each stanza written back stand-alone re-reads to the same bytes.
/// </summary>
internal static class XmppStreamTarget
{
    private static readonly XmlStreamOptions Limits = new()
    {
        ContentNamespace = "jabber:client"u8.ToArray(),
        MaxStanzaBytes = 2048,
        MaxHeaderBytes = 512,
        MaxDepth = 8,
        MaxAttributes = 8,
        MaxNodes = 64,
        MaxNamespaceDeclarations = 4,
    };

    // Re-reading a stanza written stand-alone: it may declare inherited namespaces and so be a little larger.
    private static readonly XmlStreamOptions Roomy = new() { ContentNamespace = "jabber:client"u8.ToArray(), MaxNamespaceDeclarations = 64, MaxAttributes = 128 };

    private static readonly byte[] Header = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='fuzz.example'>"u8.ToArray();

    public static FuzzTarget Target { get; } = new(Check);

    private static void Check(ReadOnlySpan<byte> input)
    {
        string whole = Transcript(new ReadOnlySequence<byte>(input.ToArray()), Limits, rewrite: true);
        foreach (int at in Segments.Points(input))
        {
            PropertyViolationException.ThrowIfNot(Transcript(Segments.Split(input, at), Limits, rewrite: false) == whole,
                $"two segments split at {at} read differently from one");
            PropertyViolationException.ThrowIfNot(Delivered(input, at) == whole,
                $"two deliveries split at {at} read differently from one");
        }
    }

    /// <summary>Reads everything buffered; the events, each unit's bytes, and how the read ended.</summary>
    private static string Transcript(ReadOnlySequence<byte> data, XmlStreamOptions options, bool rewrite)
    {
        var log = new StringBuilder();
        using var context = new XmlStreamContext(options);
        XmlStreamState state = default;
        ReadAll(data, ref state, context, log, rewrite, out _);
        return log.ToString();
    }

    /// <summary>The first <paramref name="at"/> bytes, then the rest appended to what was not consumed.</summary>
    private static string Delivered(ReadOnlySpan<byte> input, int at)
    {
        var log = new StringBuilder();
        using var context = new XmlStreamContext(Limits);
        XmlStreamState state = default;
        if (!ReadAll(new ReadOnlySequence<byte>(input[..at].ToArray()), ref state, context, log, rewrite: false, out long consumed))
        {
            return log.ToString();
        }

        ReadAll(new ReadOnlySequence<byte>(input[(int)consumed..].ToArray()), ref state, context, log, rewrite: false, out _);
        return log.ToString();
    }

    /// <summary>False when the reader threw (the stream is over); <paramref name="consumed"/> is the bytes done with.</summary>
    private static bool ReadAll(ReadOnlySequence<byte> data, ref XmlStreamState state, XmlStreamContext context, StringBuilder log, bool rewrite, out long consumed)
    {
        var reader = new XmlStreamReader(data, state, context);
        try
        {
            while (reader.Read())
            {
                log.Append(reader.Event).Append(':');
                if (reader.Event is XmlStreamEvent.StreamHeader or XmlStreamEvent.Stanza)
                {
                    XmlElement element = reader.Element;
                    int limit = reader.Event == XmlStreamEvent.Stanza ? context.Options.MaxStanzaBytes : context.Options.MaxHeaderBytes;
                    PropertyViolationException.ThrowIfNot(element.RawBytes.Length <= limit, $"a unit of {element.RawBytes.Length} bytes passed the limit of {limit}");
                    PropertyViolationException.ThrowIfNot(context.NodeCapacity <= Math.Max(context.Options.MaxNodes, 32), "the node table outgrew MaxNodes");
                    log.Append(Convert.ToHexString(element.RawBytes));
                    if (reader.Event == XmlStreamEvent.Stanza && rewrite)
                    {
                        CheckRewrite(element);
                    }
                }

                log.Append('\n');
            }

            state = reader.State;
            consumed = data.Slice(0, reader.Consumed).Length;
            return true;
        }
        catch (XmlStreamException exception)
        {
            log.Append("error:").Append(exception.Condition);
            consumed = 0;
            return false;
        }
    }

    /// <summary>A stanza written stand-alone reads back in a fresh stream and writes the same bytes again.</summary>
    private static void CheckRewrite(XmlElement element)
    {
        var written = new ArrayBufferWriter<byte>();
        element.WriteTo(written);
        byte[] again = Reread(written.WrittenSpan);
        PropertyViolationException.ThrowIfNot(again.AsSpan().SequenceEqual(written.WrittenSpan),
            $"a stanza written back re-reads differently: {Encoding.UTF8.GetString(written.WrittenSpan)} then {Encoding.UTF8.GetString(again)}");
    }

    private static byte[] Reread(ReadOnlySpan<byte> stanza)
    {
        byte[] stream = [.. Header, .. stanza];
        using var context = new XmlStreamContext(Roomy);
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(stream), default, context);
        try
        {
            PropertyViolationException.ThrowIfNot(reader.Read() && reader.Event == XmlStreamEvent.StreamHeader, "the re-read stream header did not read");
            PropertyViolationException.ThrowIfNot(reader.Read() && reader.Event == XmlStreamEvent.Stanza, "a stanza written back did not read as one stanza");
        }
        catch (XmlStreamException exception)
        {
            throw new PropertyViolationException($"a stanza written back is refused ({exception.Condition}: {exception.Message}): {Encoding.UTF8.GetString(stanza)}");
        }

        var output = new ArrayBufferWriter<byte>();
        reader.Element.WriteTo(output);
        return output.WrittenSpan.ToArray();
    }
}
