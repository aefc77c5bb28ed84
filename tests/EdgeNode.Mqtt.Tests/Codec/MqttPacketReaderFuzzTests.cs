using System.Buffers;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Tests.Codec.Support;

namespace EdgeNode.Mqtt.Tests.Codec;

public class MqttPacketReaderFuzzTests
{
    [Fact]
    public void TryRead_RandomMutationsOfValidPackets_OnlyPacketNeedMoreOrProtocolError()
    {
        var random = new Random(20240601);
        var samples = GoldenPackets.All().ToArray();
        int packets = 0, needMore = 0, errors = 0;
        for (int iteration = 0; iteration < 20_000; iteration++)
        {
            var (_, version, original) = samples[random.Next(samples.Length)];
            byte[] mutated = Mutate(original, random);
            ReadOnlySequence<byte> input = random.Next(3) == 0 ? Segments.RandomSplit(mutated, random, 2 + random.Next(2)) : new ReadOnlySequence<byte>(mutated);
            MqttProtocolVersion readerVersion = random.Next(8) == 0 ? MqttProtocolVersion.Unknown : version;
            switch (ReadAll(input, readerVersion))
            {
                case Outcome.Packets: packets++; break;
                case Outcome.NeedMore: needMore++; break;
                default: errors++; break;
            }
        }

        // All three outcomes must occur, or the mutations are not exercising the reader.
        Assert.True(packets > 0 && needMore > 0 && errors > 0, $"packets {packets}, need-more {needMore}, errors {errors}");
    }

    [Fact]
    public void TryRead_RandomBytes_OnlyPacketNeedMoreOrProtocolError()
    {
        var random = new Random(7);
        for (int iteration = 0; iteration < 5_000; iteration++)
        {
            byte[] bytes = new byte[random.Next(1, 64)];
            random.NextBytes(bytes);
            ReadAll(new ReadOnlySequence<byte>(bytes), (MqttProtocolVersion)(iteration % 2 == 0 ? 4 : 5));
        }
    }

    private enum Outcome
    {
        Packets,
        NeedMore,
        Error,
    }

    private static Outcome ReadAll(ReadOnlySequence<byte> input, MqttProtocolVersion version)
    {
        var reader = new MqttPacketReader(64 * 1024, version);
        var sequence = new SequenceReader<byte>(input);
        int read = 0;
        try
        {
            while (reader.TryRead(ref sequence, out MqttPacket packet))
            {
                // Every decoded packet must also survive re-encoding, which walks all its views.
                PacketCodec.Reencode(packet, reader.Version);
                read++;
                Assert.True(read <= input.Length, "The reader returned more packets than there are bytes.");
            }
        }
        catch (MqttProtocolException)
        {
            return Outcome.Error;
        }

        return read > 0 && sequence.End ? Outcome.Packets : Outcome.NeedMore;
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3 when bytes.Count > 1: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); if (bytes.Count == 0) { bytes.Add(0x30); } break;
            }
        }

        return [.. bytes];
    }
}
