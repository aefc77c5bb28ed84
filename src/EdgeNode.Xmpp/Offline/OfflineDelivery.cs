using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Offline;

/// <summary>
/// XEP-0160 delivery of stored messages to a session that became available: a page at a time, no larger than a
/// quarter of the session's outbound buffer, each page written, then deleted from the store only as far as the
/// connection has flushed it to the socket, and the next page read only once it has. However many messages wait and
/// however the session ends, each one is either delivered or still stored (at worst both, if the connection breaks
/// after the flush and before the delete: the client may see a message twice, never zero times).
/// </summary>
internal sealed class OfflineDelivery(OfflineMessageStore store, byte[] domain, int pageBytes)
{
    private const int PageMessages = 100;

    // One delivery per account at a time: two resources coming online together must not both get the same page.
    private readonly ConcurrentDictionary<string, byte> _active = new(StringComparer.Ordinal);

    /// <summary>Delivers the account's stored messages to <paramref name="session"/>; ends when none are left, or the session cannot take more.</summary>
    public async Task RunAsync(C2sSession session)
    {
        if (!_active.TryAdd(session.Bare, 0))
        {
            return;
        }

        try
        {
            long after = 0;
            while (session.IsAvailable && session.Priority >= 0)
            {
                IReadOnlyList<OfflineMessage> page = store.ReadPage(session.Bare, after, PageMessages, pageBytes);
                if (page.Count == 0)
                {
                    return;
                }

                var ends = new long[page.Count];
                int written = 0;
                while (written < page.Count && session.Send(WithDelay(page[written].Stanza, page[written].Received, domain), out ends[written]))
                {
                    written++;
                }

                if (written == 0)
                {
                    return;
                }

                bool flushed = await session.WhenFlushedAsync(ends[written - 1]).ConfigureAwait(false);
                long reached = session.FlushedBytes;
                int done = 0;
                while (done < written && ends[done] <= reached)
                {
                    done++;
                }

                if (done > 0)
                {
                    store.Delete(session.Bare, page[0].Id, page[done - 1].Id);
                }

                if (!flushed || done < page.Count)
                {
                    return;
                }

                after = page[done - 1].Id;
            }
        }
        finally
        {
            _active.TryRemove(session.Bare, out _);
        }
    }

    /// <summary>XEP-0203: the time the server received a stored message, inserted as the message's last child.</summary>
    internal static byte[] WithDelay(byte[] stanza, DateTimeOffset received, ReadOnlySpan<byte> domain)
    {
        int close = stanza.AsSpan().LastIndexOf("</"u8);
        if (close < 0)
        {
            return stanza;
        }

        var buffer = new ArrayBufferWriter<byte>(stanza.Length + 128);
        buffer.Write(stanza.AsSpan(0, close));
        var writer = new XmlStanzaWriter(buffer);
        writer.WriteStartElement("delay"u8, Ns.Delay);
        writer.WriteAttribute("from"u8, domain);
        writer.WriteAttribute("stamp"u8, received.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture).AsSpan());
        writer.WriteEndElement("delay"u8);
        buffer.Write(stanza.AsSpan(close));
        return buffer.WrittenSpan.ToArray();
    }
}
