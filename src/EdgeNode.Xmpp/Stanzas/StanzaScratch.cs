using System.Buffers;

namespace EdgeNode.Xmpp.Stanzas;

/// <summary>
/// Reusable buffers of one connection's read loop: the stamped copy of the stanza being routed, its decoded body,
/// and replies. They grow to the connection's usual stanza size once and are reused, so routing allocates nothing.
/// </summary>
public sealed class StanzaScratch
{
    private const int RetainedBytes = 64 * 1024;

    [ThreadStatic]
    private static StanzaScratch? t_spare;

    private byte[] _body = new byte[1024];

    /// <summary>
    /// The current thread's scratch for one synchronous piece of stanza handling (or a new one when the thread's is
    /// in use), so that connections do not each keep about 3 KiB while idle. Give it back with <see cref="Return"/>.
    /// </summary>
    public static StanzaScratch Rent()
    {
        StanzaScratch scratch = t_spare ?? new StanzaScratch();
        t_spare = null;
        return scratch;
    }

    /// <summary>Trims <paramref name="scratch"/> and keeps it as the current thread's spare.</summary>
    public static void Return(StanzaScratch scratch)
    {
        scratch.Trim();
        t_spare = scratch;
    }

    public ArrayBufferWriter<byte> Stanza { get; private set; } = new(1024);

    public ArrayBufferWriter<byte> Reply { get; private set; } = new(1024);

    /// <summary>A buffer of at least <paramref name="length"/> bytes for a decoded body.</summary>
    public Span<byte> Body(int length)
    {
        if (_body.Length < length)
        {
            _body = new byte[Math.Max(length, _body.Length * 2)];
        }

        return _body;
    }

    /// <summary>Lets buffers that one large stanza grew go, so an idle connection does not keep them.</summary>
    public void Trim()
    {
        if (Stanza.Capacity > RetainedBytes)
        {
            Stanza = new ArrayBufferWriter<byte>(1024);
        }

        if (Reply.Capacity > RetainedBytes)
        {
            Reply = new ArrayBufferWriter<byte>(1024);
        }

        if (_body.Length > RetainedBytes)
        {
            _body = new byte[1024];
        }
    }
}
