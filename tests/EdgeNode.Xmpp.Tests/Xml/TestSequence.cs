using System.Buffers;

namespace EdgeNode.Xmpp.Tests.Xml;

/// <summary>Builds multi-segment sequences the way a pipe hands them out.</summary>
internal static class TestSequence
{
    public static ReadOnlySequence<byte> Create(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        if (parts.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (parts.Count == 1)
        {
            return new ReadOnlySequence<byte>(parts[0]);
        }

        var first = new Segment(parts[0], 0);
        Segment last = first;
        for (int i = 1; i < parts.Count; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Splits <paramref name="data"/> at the given offsets, each piece copied into its own array.</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> data, params int[] splitPoints)
    {
        var parts = new List<ReadOnlyMemory<byte>>();
        int start = 0;
        foreach (int point in splitPoints.Order())
        {
            parts.Add(data.Slice(start, point - start).ToArray());
            start = point;
        }

        parts.Add(data.Slice(start).ToArray());
        return Create(parts);
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
