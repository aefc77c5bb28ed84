namespace EdgeNode.Xmpp.Stanzas;

/// <summary>
/// Token buckets for (sending account, recipient account) pairs, node-wide, in a fixed table: a pair maps to one slot
/// by a per-process randomised hash, and a pair that finds its slot taken by another starts afresh there. The table
/// never grows, whatever number of pairs senders make up; all an eviction costs is a fresh burst for one pair, and
/// each session's own bucket still holds. Address case is folded (ASCII), so spelling a recipient differently does not
/// open another bucket.
/// </summary>
public sealed class PairRateTable
{
    public const int Slots = 8192;

    private readonly Slot[] _slots = new Slot[Slots];
    private readonly Lock _lock = new();
    private readonly double _perSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;

    public PairRateTable(int perSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _perSecond = perSecond;
        _burst = burst;
        _time = time;
    }

    public bool Enabled => _perSecond > 0;

    /// <summary>Takes one message from the pair's bucket; false, and nothing taken, when it is empty.</summary>
    public bool TryTake(ReadOnlySpan<byte> senderBare, ReadOnlySpan<byte> recipient)
    {
        if (!Enabled)
        {
            return true;
        }

        ulong key = Key(senderBare, recipient);
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            ref Slot slot = ref _slots[(int)(key % Slots)];
            if (!slot.Used || slot.Key != key)
            {
                slot = new Slot { Used = true, Key = key, Bucket = new TokenBucket(_burst, now) };
            }

            if (!slot.Bucket.Refill(now, _perSecond, _burst, _time.TimestampFrequency))
            {
                return false;
            }

            slot.Bucket.Take();
            return true;
        }
    }

    private static ulong Key(ReadOnlySpan<byte> sender, ReadOnlySpan<byte> recipient)
    {
        // Two independently seeded hashes make a 64-bit key; the recipient counts up to its resource only.
        var low = default(HashCode);
        var high = default(HashCode);
        high.Add(0x5bd1e995);
        AddFolded(ref low, ref high, sender);
        low.Add(-1);
        high.Add(-1);
        int slash = recipient.IndexOf((byte)'/');
        AddFolded(ref low, ref high, slash < 0 ? recipient : recipient[..slash]);
        return ((ulong)(uint)high.ToHashCode() << 32) | (uint)low.ToHashCode();
    }

    private static void AddFolded(ref HashCode low, ref HashCode high, ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            byte folded = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
            low.Add(folded);
            high.Add(folded);
        }
    }

    private struct Slot
    {
        public bool Used;
        public ulong Key;
        public TokenBucket Bucket;
    }
}
