using System.Buffers;

namespace EdgeNode.Mqtt.Tests.Codec.Support;

/// <summary>Builds multi-segment sequences, the shape a pipe hands over when a packet straddles buffers.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var bounds = new List<int> { 0 };
        bounds.AddRange(cuts.Where(c => c > 0 && c < data.Length).Distinct().Order());
        bounds.Add(data.Length);
        if (bounds.Count == 2)
        {
            return new ReadOnlySequence<byte>(data);
        }

        Segment first = new(data.AsMemory(bounds[0], bounds[1] - bounds[0]), 0);
        Segment last = first;
        for (int i = 1; i < bounds.Count - 1; i++)
        {
            // Each segment gets its own array so that no view can accidentally read past a boundary.
            byte[] copy = data.AsSpan(bounds[i], bounds[i + 1] - bounds[i]).ToArray();
            last = last.Append(copy);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Random cut points (one or two) from a seeded generator.</summary>
    public static ReadOnlySequence<byte> RandomSplit(byte[] data, Random random, int pieces)
    {
        if (data.Length < 2)
        {
            return new ReadOnlySequence<byte>(data);
        }

        int[] cuts = new int[pieces - 1];
        for (int i = 0; i < cuts.Length; i++)
        {
            cuts[i] = random.Next(1, data.Length);
        }

        return Split(data, cuts);
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
