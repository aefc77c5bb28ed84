using System.Collections.Concurrent;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// How often one side is told that the other sent something it cannot read (OMEMO to Matrix, Megolm to XMPP): at
/// most once per conversation and direction per <see cref="Interval"/>, so a burst of encrypted messages is one notice.
/// </summary>
internal sealed class EncryptedNotices(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private const int PruneAbove = 4096;

    private readonly ConcurrentDictionary<(string From, string To), long> _last = new();

    /// <summary>True when a notice from <paramref name="from"/> to <paramref name="to"/> may go now (and counts it as gone).</summary>
    public bool Allow(string from, string to)
    {
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long interval = (long)Interval.TotalMilliseconds;
        if (_last.Count > PruneAbove)
        {
            foreach (var (key, at) in _last)
            {
                if (now - at >= interval) _last.TryRemove(key, out _);
            }
        }

        while (true)
        {
            if (!_last.TryGetValue((from, to), out long last))
            {
                if (_last.TryAdd((from, to), now)) return true;
                continue;
            }

            if (now - last < interval) return false;
            if (_last.TryUpdate((from, to), now, last)) return true;
        }
    }

    /// <summary>What a Matrix client is shown for an encrypted XMPP message.</summary>
    public static string ForMatrix(string fromBare) =>
        fromBare + " sent an encrypted message (OMEMO) that Matrix clients cannot read. Open an XMPP client to read it.";

    /// <summary>What an XMPP client is shown for an encrypted Matrix message.</summary>
    public static string ForXmpp(string fromUserId) =>
        fromUserId + " sent an end-to-end encrypted Matrix message that this client cannot read. Open a Matrix client to read it.";
}
