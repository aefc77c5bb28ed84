using System.Buffers;

namespace EdgeNode.Xmpp.S2s;

/// <summary>
/// Moves a standalone stanza between the client and server content namespaces (RFC 6120 4.8.3): a stanza from a
/// client carries xmlns='jabber:client' and must travel a server stream as jabber:server, and back again. Only the
/// root element's default namespace declaration changes; children inherit it, and a child that declares its own
/// (a forwarded message) keeps it. The input is markup this node parsed or wrote, so it is well-formed.
/// </summary>
public static class ContentNamespace
{
    public static ReadOnlySpan<byte> Client => "jabber:client"u8;
    public static ReadOnlySpan<byte> Server => "jabber:server"u8;

    /// <summary>
    /// Writes <paramref name="stanza"/> with its root in <paramref name="to"/>: a default namespace declaration equal to
    /// <paramref name="from"/> is replaced, and one is added when the root declares none. False when the bytes do not
    /// start with an element or the root declares another default namespace (nothing is written then).
    /// </summary>
    public static bool TryWrite(ReadOnlySpan<byte> stanza, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (stanza.Length < 3 || stanza[0] != '<')
        {
            return false;
        }

        int i = 1;
        while (i < stanza.Length && !IsNameEnd(stanza[i]))
        {
            i++;
        }

        int nameEnd = i;
        if (nameEnd == 1 || stanza.Slice(1, nameEnd - 1).IndexOf((byte)':') >= 0)
        {
            // A prefixed root is not a stanza of the content namespace.
            return false;
        }

        int valueStart = -1;
        int valueEnd = -1;
        while (i < stanza.Length)
        {
            while (i < stanza.Length && IsSpace(stanza[i]))
            {
                i++;
            }

            if (i >= stanza.Length || stanza[i] is (byte)'/' or (byte)'>')
            {
                break;
            }

            int attributeStart = i;
            while (i < stanza.Length && stanza[i] != '=' && !IsSpace(stanza[i]))
            {
                i++;
            }

            ReadOnlySpan<byte> name = stanza[attributeStart..i];
            while (i < stanza.Length && (IsSpace(stanza[i]) || stanza[i] == '='))
            {
                i++;
            }

            if (i >= stanza.Length || stanza[i] is not ((byte)'\'' or (byte)'"'))
            {
                return false;
            }

            byte quote = stanza[i++];
            int start = i;
            int close = stanza[i..].IndexOf(quote);
            if (close < 0)
            {
                return false;
            }

            i += close + 1;
            if (name.SequenceEqual("xmlns"u8))
            {
                ReadOnlySpan<byte> value = stanza.Slice(start, close);
                if (!value.SequenceEqual(from) && !value.SequenceEqual(to))
                {
                    return false;
                }

                valueStart = start;
                valueEnd = start + close;
            }
        }

        if (valueStart >= 0)
        {
            output.Write(stanza[..valueStart]);
            output.Write(to);
            output.Write(stanza[valueEnd..]);
            return true;
        }

        output.Write(stanza[..nameEnd]);
        output.Write(" xmlns='"u8);
        output.Write(to);
        output.Write("'"u8);
        output.Write(stanza[nameEnd..]);
        return true;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static bool IsNameEnd(byte b) => IsSpace(b) || b is (byte)'/' or (byte)'>';
}
