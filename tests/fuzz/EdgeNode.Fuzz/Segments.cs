using System.Buffers;

namespace EdgeNode.Fuzz;

/// <summary>Two-segment sequences over an input and the split points a target tries.</summary>
internal static class Segments
{
    /// <summary>The input as two segments split at <paramref name="at"/> (each a separate array, as from a pipe).</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> input, int at)
    {
        var first = new Segment(input[..at].ToArray(), 0);
        Segment last = first.Append(input[at..].ToArray());
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>A few split points: near both ends, the middle, and one chosen by the input's first bytes.</summary>
    public static IEnumerable<int> Points(ReadOnlySpan<byte> input)
    {
        int n = input.Length;
        if (n < 2) return [];
        int chosen = 1 + ((input[0] * 257 + input[n - 1]) % (n - 1));
        return new SortedSet<int> { 1, n / 2, n - 1, chosen };
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
