namespace EdgeNode.LoadGen;

/// <summary>
/// Latencies in microseconds, in log-linear buckets (64 per power of two, so about 1.6 % resolution) that many
/// receiving threads increment without locks. Fixed memory however long the run, unlike a list of samples.
/// </summary>
internal sealed class Histogram
{
    private const int SubBits = 6;
    private const int Sub = 1 << SubBits;
    private readonly long[] _counts = new long[64 * Sub + 2 * Sub];
    private long _total;

    public long Count => Interlocked.Read(ref _total);

    public void Record(long micros)
    {
        if (micros < 0) micros = 0;
        Interlocked.Increment(ref _counts[Index(micros)]);
        Interlocked.Increment(ref _total);
    }

    private static int Index(long v)
    {
        int msb = 63 - (int)long.LeadingZeroCount(v | 1);
        int shift = Math.Max(0, msb - SubBits);
        return (shift * Sub) + (int)(v >> shift);
    }

    private static double Midpoint(int index)
    {
        int shift = index < 2 * Sub ? 0 : (index / Sub) - 1;
        long sub = index - (shift * Sub);
        return (sub << shift) + ((1L << shift) / 2.0);
    }

    /// <summary>The value below which <paramref name="quantile"/> of the samples lie, in milliseconds; null without samples.</summary>
    public double? QuantileMs(double quantile)
    {
        long total = Count;
        if (total == 0) return null;
        long rank = Math.Max(1, (long)Math.Ceiling(total * quantile));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank) return Math.Round(Midpoint(i) / 1000.0, 3);
        }

        return null;
    }
}
