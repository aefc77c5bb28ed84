using System.Buffers;
using EdgeNode.Xmpp.Streams;

namespace EdgeNode.Xmpp.Roster;

/// <summary>
/// A roster result larger than a quarter of the session's outbound buffer (a big address book, an admin with many
/// devices): written as one stanza in pieces, each queued only once the one before has reached the socket, the way
/// offline delivery pages. While it is written the session holds every other stanza back, so nothing lands inside the
/// result, and the session is never ended for the size of its own roster. Items are read from the store a page at a
/// time, after the first part that the request itself wrote.
/// </summary>
internal static class LongRosterResult
{
    private const int PageItems = 100;

    /// <summary>Queues the rest of the result behind the session's other output work.</summary>
    public static void Start(RosterStore rosters, C2sSession session, byte[] head, string afterContact) =>
        session.RunAfter(() => WriteAsync(rosters, session, head, afterContact));

    /// <summary>Bytes of one piece: a quarter of the buffer, as offline delivery pages.</summary>
    public static int PieceBytes(C2sSession session) => Math.Max(1024, session.OutboundCapacity / 4);

    private static async Task WriteAsync(RosterStore rosters, C2sSession session, byte[] head, string afterContact)
    {
        int pieceBytes = PieceBytes(session);
        session.BeginLongUnit();
        try
        {
            // Everything queued before the result goes first; then the buffer is empty and a piece always fits.
            if (!await session.WhenFlushedAsync(session.QueuedBytes).ConfigureAwait(false)
                || !await SendAsync(session, head, pieceBytes).ConfigureAwait(false))
            {
                return;
            }

            var buffer = new ArrayBufferWriter<byte>(pieceBytes + 4096);
            string after = afterContact;
            while (true)
            {
                IReadOnlyList<RosterItem> page = rosters.ItemsAfter(session.Bare, after, PageItems);
                foreach (RosterItem item in page)
                {
                    RosterService.WriteItem(buffer, item, remove: false);
                    after = item.Contact;
                    if (buffer.WrittenCount >= pieceBytes)
                    {
                        if (!await SendAsync(session, buffer.WrittenMemory, pieceBytes).ConfigureAwait(false))
                        {
                            return;
                        }

                        buffer.ResetWrittenCount();
                    }
                }

                if (page.Count < PageItems)
                {
                    break;
                }
            }

            buffer.Write("</query></iq>"u8);
            await SendAsync(session, buffer.WrittenMemory, pieceBytes).ConfigureAwait(false);
        }
        finally
        {
            session.EndLongUnit();
        }
    }

    /// <summary>Queues <paramref name="data"/> a piece at a time, each after the previous one was flushed; false when the connection stopped.</summary>
    private static async Task<bool> SendAsync(C2sSession session, ReadOnlyMemory<byte> data, int pieceBytes)
    {
        for (int offset = 0; offset < data.Length; offset += pieceBytes)
        {
            ReadOnlyMemory<byte> piece = data.Slice(offset, Math.Min(pieceBytes, data.Length - offset));
            if (!session.SendPiece(piece.Span, out long end) || !await session.WhenFlushedAsync(end).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }
}
