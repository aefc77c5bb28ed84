using System.Buffers;
using System.IO.Pipelines;
using EdgeNode.Core.Configuration;
using EdgeNode.Mqtt.Bridge;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Mqtt.Tests.Bridge;

/// <summary>The bridge's send loop against a pipe: a full window holds messages back until an acknowledgement signals room.</summary>
public class MqttBridgeSendLoopTests
{
    private static MqttBridgeService NewBridge() => new(
        new MqttUpstreamOptions { Host = "127.0.0.1", Port = 1, Tls = false, ClientId = "bridge-test", ProtocolVersion = 5 },
        new MqttMessageHub(), local: null, NullLogger<MqttBridgeService>.Instance);

    private static async Task<MqttPacket> ReadPacketAsync(PipeReader input, MqttPacketReader reader)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            ReadResult result = await input.ReadAsync(timeout.Token);
            var sequence = new SequenceReader<byte>(result.Buffer);
            if (reader.TryRead(ref sequence, out MqttPacket packet))
            {
                // Copied out before the buffer is released.
                var copy = MqttPacketWriterCopy(packet);
                input.AdvanceTo(sequence.Position);
                return copy;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static MqttPacket MqttPacketWriterCopy(in MqttPacket packet)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MqttPacketWriter.WritePublish(buffer, MqttProtocolVersion.V500, new MqttPublishHeader(packet.Publish.Qos, packet.Publish.PacketId, packet.Publish.Retain, packet.Publish.Duplicate),
            packet.Publish.Topic.Span, packet.Publish.Payload, packet.Publish.Properties);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer.WrittenMemory.ToArray()));
        new MqttPacketReader(version: MqttProtocolVersion.V500).TryRead(ref reader, out MqttPacket copy);
        return copy;
    }

    [Fact]
    public async Task SendLoop_WindowFull_NextMessageSentOnAcknowledgement()
    {
        using var bridge = NewBridge();
        bridge.Window = 1;
        var pipe = new Pipe();
        using var stop = new CancellationTokenSource();
        Task loop = bridge.SendLoopAsync(pipe.Writer, stop.Token);
        var reader = new MqttPacketReader(version: MqttProtocolVersion.V500);

        bridge.Publish(new MqttMessage("out/1", "a"u8.ToArray(), MqttQos.AtLeastOnce), MqttMessageOrigin.Node);
        bridge.Publish(new MqttMessage("out/2", "b"u8.ToArray(), MqttQos.AtLeastOnce), MqttMessageOrigin.Node);
        MqttPacket first = await ReadPacketAsync(pipe.Reader, reader);
        Assert.Equal("out/1"u8.ToArray(), first.Publish.Topic.ToArray());
        Assert.Equal(1, bridge.InflightCount);

        bridge.Acknowledged(first.Publish.PacketId);
        MqttPacket second = await ReadPacketAsync(pipe.Reader, reader);
        Assert.Equal("out/2"u8.ToArray(), second.Publish.Topic.ToArray());
        Assert.Equal(1, bridge.InflightCount);

        // Parked on the signal, not spinning: cancelling the session ends it.
        Assert.False(loop.IsCompleted);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }
}
