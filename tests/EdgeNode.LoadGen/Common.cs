using System.Buffers.Text;
using System.Diagnostics;
using System.Net;

namespace EdgeNode.LoadGen;

internal static class Clock
{
    public static long Now => Stopwatch.GetTimestamp();

    public static long Micros(long from, long to) => (to - from) * 1_000_000 / Stopwatch.Frequency;

    public static long After(long from, double seconds) => from + (long)(seconds * Stopwatch.Frequency);

    public static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    /// <summary>Finds "t=&lt;stopwatch ticks&gt;" anywhere in a text: the send time the harness embeds in each message.</summary>
    public static bool TryFindStamp(ReadOnlySpan<byte> text, out long ticks)
    {
        ticks = 0;
        int at = text.IndexOf("t="u8);
        while (at >= 0)
        {
            ReadOnlySpan<byte> rest = text[(at + 2)..];
            if (Utf8Parser.TryParse(rest, out ticks, out int used) && used > 0) return true;
            int next = rest.IndexOf("t="u8);
            at = next < 0 ? -1 : at + 2 + next;
        }

        return false;
    }
}

/// <summary>Options every scenario shares: the label of the system under test and the server pid for /proc figures.</summary>
internal sealed record Common(string Label, int ServerPid, double Seconds, double Warmup, IPAddress Host)
{
    public static Common From(Args args, double seconds) => new(
        args.Str("label", "server"), args.Int("server-pid", 0), args.Double("seconds", seconds), args.Double("warmup", 1),
        IPAddress.Parse(args.Str("host", "127.0.0.1")));
}

internal static class Parallel2
{
    /// <summary>Runs <paramref name="count"/> jobs, at most <paramref name="parallel"/> at once, and returns their results in order.</summary>
    public static async Task<T[]> MapAsync<T>(int count, int parallel, Func<int, Task<T>> job)
    {
        var results = new T[count];
        int next = -1;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count) results[i] = await job(i);
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, Math.Min(parallel, count))).Select(_ => Worker()));
        return results;
    }
}
