using System.Buffers;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Tests.Codec.Support;

namespace EdgeNode.Mqtt.Tests.Codec;

public class MqttPacketReaderFramingTests
{
    [Theory]
    [MemberData(nameof(GoldenPackets.Names), MemberType = typeof(GoldenPackets))]
    public void TryRead_TruncatedAtEveryByte_NeedsMoreAndConsumesNothing(string name)
    {
        (MqttProtocolVersion version, byte[] bytes) = GoldenPackets.Get(name);
        for (int length = 0; length < bytes.Length; length++)
        {
            var reader = new MqttPacketReader(version: version);
            var buffer = new ReadOnlySequence<byte>(bytes, 0, length);
            var input = new SequenceReader<byte>(buffer);
            Assert.False(reader.TryRead(ref input, out _));
            Assert.Equal(0, input.Consumed);

            Assert.False(reader.TryRead(buffer, out _, out SequencePosition consumed, out SequencePosition examined));
            Assert.Equal(buffer.Start, consumed);
            Assert.Equal(buffer.End, examined);
        }
    }

    [Theory]
    [MemberData(nameof(GoldenPackets.Names), MemberType = typeof(GoldenPackets))]
    public void TryRead_SplitIntoTwoOrThreeSegments_DecodesTheSameFields(string name)
    {
        (MqttProtocolVersion version, byte[] bytes) = GoldenPackets.Get(name);
        var random = new Random(4242 + name.Length);
        for (int i = 0; i < 100; i++)
        {
            ReadOnlySequence<byte> split = Segments.RandomSplit(bytes, random, pieces: 2 + (i % 2));
            MqttPacket packet = PacketCodec.ReadOne(split, version);
            Assert.Equal(Hex.Format(bytes), Hex.Format(PacketCodec.Reencode(packet, version)));
        }
    }

    [Fact]
    public void TryRead_SplitAtEveryPoint_TopicIsContiguousAndCorrect()
    {
        byte[] bytes = GoldenPackets.V5PublishQos1WithProperties;
        for (int cut = 1; cut < bytes.Length; cut++)
        {
            MqttPublish publish = PacketCodec.ReadOne(Segments.Split(bytes, cut), MqttProtocolVersion.V500).Publish;
            Assert.Equal("a/b"u8.ToArray(), publish.Topic.ToArray());
            Assert.Equal("hi"u8.ToArray(), publish.Payload.ToArray());
        }
    }

    [Fact]
    public void TryRead_SeveralPacketsInOneBuffer_ReadsEachInTurn()
    {
        byte[] bytes = [.. GoldenPackets.V311PublishQos0, .. GoldenPackets.PingReq, .. GoldenPackets.V311PubAck, .. GoldenPackets.V311PublishQos0.AsSpan(0, 3)];
        var reader = new MqttPacketReader(version: MqttProtocolVersion.V311);
        var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var types = new List<MqttPacketType>();
        while (reader.TryRead(ref input, out MqttPacket packet))
        {
            types.Add(packet.Type);
        }

        Assert.Equal([MqttPacketType.Publish, MqttPacketType.PingReq, MqttPacketType.PubAck], types);
        Assert.Equal(3, input.Remaining); // the partial fourth packet is left for the next read
    }

    [Theory]
    [InlineData(0, "00")]
    [InlineData(127, "7F")]
    [InlineData(128, "8001")]
    [InlineData(16383, "FF7F")]
    [InlineData(16384, "808001")]
    [InlineData(2097151, "FFFF7F")]
    [InlineData(2097152, "80808001")]
    [InlineData(268435455, "FFFFFF7F")]
    public void VariableByteInteger_Edges_UseMinimalEncoding(int value, string hex)
    {
        Span<byte> buffer = stackalloc byte[4];
        int written = MqttVariableByteInteger.Write(buffer, value);
        Assert.Equal(hex, Hex.Format(buffer[..written]));
        Assert.Equal(written, MqttVariableByteInteger.GetSize(value));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16383)]
    [InlineData(16384)]
    [InlineData(2097151)]
    [InlineData(2097152)]
    public void TryRead_PublishWithRemainingLengthAtEdge_RoundTrips(int remaining)
    {
        // A QoS 0 3.1.1 PUBLISH with topic "a/b" spends 5 bytes before its payload.
        byte[] payload = new byte[remaining - 5];
        payload.AsSpan().Fill(0x5A);
        byte[] bytes = PacketCodec.Write(o => MqttPacketWriter.WritePublish(o, MqttProtocolVersion.V311, default, "a/b"u8, payload));
        Assert.Equal(1 + MqttVariableByteInteger.GetSize(remaining) + remaining, bytes.Length);

        MqttPacket packet = PacketCodec.ReadOne(Segments.Split(bytes, bytes.Length / 2), MqttProtocolVersion.V311);
        Assert.Equal(bytes.Length, packet.Size);
        Assert.Equal(payload.Length, packet.Publish.Payload.Length);
    }

    [Fact]
    public void TryRead_RemainingLengthZero_ReadsPingReq()
    {
        Assert.Equal(MqttPacketType.PingReq, PacketCodec.ReadOne(GoldenPackets.PingReq, MqttProtocolVersion.V311).Type);
    }

    [Fact]
    public void TryRead_MaximumRemainingLengthWithoutBody_NeedsMore()
    {
        byte[] header = Hex.Parse("30 FF FF FF 7F 00 03 61 2F 62");
        var reader = new MqttPacketReader(MqttFixedHeader.MaxPacketSize, MqttProtocolVersion.V311);
        var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(header));
        Assert.False(reader.TryRead(ref input, out _));
        Assert.Equal(0, input.Consumed);

        var headerReader = new SequenceReader<byte>(new ReadOnlySequence<byte>(header));
        Assert.True(MqttFixedHeader.TryRead(ref headerReader, MqttProtocolVersion.V311, MqttFixedHeader.MaxPacketSize, out MqttFixedHeader parsed));
        Assert.Equal(268435455, parsed.RemainingLength);
        Assert.Equal(5, parsed.HeaderLength);
    }

    [Theory]
    [InlineData("30 FF FF FF FF 01")]
    [InlineData("30 FF FF FF FF")]
    [InlineData("30 80 80 80 80")]
    public void TryRead_FifthLengthByte_IsMalformed(string hex)
    {
        Assert.Equal(MqttReasonCode.MalformedPacket, PacketCodec.ReadFails(Hex.Parse(hex), MqttProtocolVersion.V311).ReasonCode);
    }

    [Theory]
    [InlineData("C0 80 00")]
    [InlineData("30 87 00")]
    [InlineData("30 FF 80 00")]
    public void TryRead_NonMinimalRemainingLength_IsMalformed(string hex)
    {
        Assert.Equal(MqttReasonCode.MalformedPacket, PacketCodec.ReadFails(Hex.Parse(hex), MqttProtocolVersion.V311).ReasonCode);
    }

    [Fact]
    public void TryRead_Declared200MegabytesWithFiveBytesPresent_RejectedFromHeader()
    {
        // 209,715,200 = 0x0C800000: seven-bit groups 00, 00, 00, 64 (least significant first).
        byte[] header = Hex.Parse("30 80 80 80 64");
        var error = PacketCodec.ReadFails(header, MqttProtocolVersion.V311, maximumPacketSize: 1 << 20);
        Assert.Equal(MqttReasonCode.PacketTooLarge, error.ReasonCode);
    }

    [Fact]
    public void TryRead_DefaultLimit_RejectsPacketOver256KibFromHeader()
    {
        // A reader built without a limit must not accept the protocol maximum (about 256 MiB).
        var reader = new MqttPacketReader(version: MqttProtocolVersion.V311);
        Assert.Equal(256 * 1024, reader.MaximumPacketSize);

        // Remaining length 262,144 = 0x40000: seven-bit groups 00, 00, 10 (least significant first).
        byte[] header = Hex.Parse("30 80 80 10");
        var error = Assert.Throws<MqttProtocolException>(() =>
        {
            var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(header));
            reader.TryRead(ref input, out _);
        });
        Assert.Equal(MqttReasonCode.PacketTooLarge, error.ReasonCode);
    }

    [Fact]
    public void TryRead_PacketOneByteOverLimit_Rejected()
    {
        byte[] bytes = GoldenPackets.V311PublishQos0; // 9 bytes in all
        Assert.Equal(MqttReasonCode.PacketTooLarge, PacketCodec.ReadFails(bytes, MqttProtocolVersion.V311, maximumPacketSize: 8).ReasonCode);

        var reader = new MqttPacketReader(9, MqttProtocolVersion.V311);
        var input = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(reader.TryRead(ref input, out _));
    }
}
