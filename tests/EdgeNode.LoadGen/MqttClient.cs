using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.LoadGen;

internal sealed record MqttTarget(IPAddress Address, int Port, string? User, string? Password);

/// <summary>What a connected MQTT client reads; called on its receive loop.</summary>
internal interface IMqttSink
{
    void OnPublish(MqttClient client, ReadOnlySpan<byte> topic, in ReadOnlySequence<byte> payload);

    void OnPubAck(MqttClient client, ushort packetId);
}

/// <summary>
/// A load-generating MQTT 3.1.1 / 5.0 client on EdgeNode's own codec: CONNECT with user name and password,
/// SUBSCRIBE, PUBLISH at QoS 0 or 1 and the PUBACKs both ways. Publishers batch several PUBLISH packets per write.
/// </summary>
internal sealed class MqttClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly MqttPacketReader _packets;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private MqttClient(Socket socket, MqttProtocolVersion version)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 1024, leaveOpen: true));
        Version = version;
        _packets = new MqttPacketReader(version: version);
    }

    public MqttProtocolVersion Version { get; }

    public string ClientId { get; private set; } = "";

    /// <summary>A free slot for scenarios: the publisher's or device's index.</summary>
    public int Tag { get; set; }

    public static async Task<MqttClient> ConnectAsync(MqttTarget target, string clientId, MqttProtocolVersion version, CancellationToken ct)
    {
        var socket = new Socket(target.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new MqttClient(socket, version) { ClientId = clientId };
        try
        {
            var connect = new MqttConnect
            {
                ProtocolVersion = version,
                ClientId = clientId,
                CleanStart = true,
                KeepAliveSeconds = 120,
                UserName = target.User,
                Password = target.Password is null ? null : Encoding.UTF8.GetBytes(target.Password),
            };
            await client.SendControlAsync(connect, ct);
            MqttPacket answer = await client.ReadControlAsync(ct);
            if (answer.Control is not MqttConnAck connAck) throw new IOException($"expected CONNACK, got {answer.Type}");
            if (connAck.ReasonCode == MqttReasonCode.ServerUnavailable)
            {
                throw new NotSupportedByServerException("the MQTT broker answered CONNECT with \"server unavailable\"");
            }

            if (connAck.ReasonCode != MqttReasonCode.Success) throw new IOException($"CONNECT refused: {connAck.ReasonCode}");
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Subscribes and waits for SUBACK; a refused filter is an error (the harness needs every delivery it counts on).</summary>
    public async Task SubscribeAsync(IReadOnlyList<string> filters, MqttQos qos, CancellationToken ct)
    {
        var subscribe = new MqttSubscribe { PacketId = 1 };
        foreach (string filter in filters) subscribe.Subscriptions.Add(new MqttSubscription(filter, new MqttSubscriptionOptions(qos)));
        await SendControlAsync(subscribe, ct);
        MqttPacket answer = await ReadControlAsync(ct);
        if (answer.Control is not MqttSubAck subAck) throw new IOException($"expected SUBACK, got {answer.Type}");
        foreach (MqttReasonCode code in subAck.ReasonCodes)
        {
            if ((byte)code > (byte)qos) throw new IOException($"SUBSCRIBE refused: {code} for {string.Join(' ', filters)}");
        }
    }

    private async Task SendControlAsync(MqttControlPacket packet, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        MqttPacketWriter.Write(buffer, Version, packet);
        await SendAsync(buffer.WrittenMemory, ct);
    }

    private async Task<MqttPacket> ReadControlAsync(CancellationToken ct)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(ct);
            if (_packets.TryRead(result.Buffer, out MqttPacket packet, out SequencePosition consumed, out SequencePosition examined))
            {
                // Control packets are objects detached from the buffer, so advancing past them is safe.
                _reader.AdvanceTo(consumed, examined);
                return packet;
            }

            _reader.AdvanceTo(consumed, examined);
            if (result.IsCompleted) throw new IOException("the broker closed the connection");
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await _stream.WriteAsync(bytes, ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Reads until the connection ends or <paramref name="ct"/> fires; QoS 1 deliveries are acknowledged per read batch.</summary>
    public async Task RunAsync(IMqttSink sink, CancellationToken ct)
    {
        var acks = new ArrayBufferWriter<byte>(1024);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            SequencePosition consumed = Process(result.Buffer, sink, acks);
            _reader.AdvanceTo(consumed, result.Buffer.End);
            if (acks.WrittenCount > 0)
            {
                try
                {
                    await SendAsync(acks.WrittenMemory, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                acks.ResetWrittenCount();
            }

            if (result.IsCompleted) throw new IOException("the broker closed the connection");
        }
    }

    private SequencePosition Process(in ReadOnlySequence<byte> buffer, IMqttSink sink, ArrayBufferWriter<byte> acks)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (_packets.TryRead(ref reader, out MqttPacket packet))
        {
            switch (packet.Type)
            {
                case MqttPacketType.Publish:
                    MqttPublish publish = packet.Publish;
                    sink.OnPublish(this, publish.Topic.Span, publish.Payload);
                    if (publish.Qos == MqttQos.AtLeastOnce)
                    {
                        MqttPacketWriter.WriteAck(acks, Version, MqttPacketType.PubAck, publish.PacketId);
                    }

                    break;
                case MqttPacketType.PubAck:
                    sink.OnPubAck(this, packet.Ack.PacketId);
                    break;
                case MqttPacketType.Disconnect:
                    throw new IOException($"the broker sent DISCONNECT {(packet.Control as MqttDisconnect)?.ReasonCode}");
            }
        }

        return reader.Position;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var buffer = new ArrayBufferWriter<byte>(16);
            MqttPacketWriter.Write(buffer, Version, new MqttDisconnect());
            await SendAsync(buffer.WrittenMemory, cts.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // Already gone: closing is all that is left.
        }

        try { await _reader.CompleteAsync(); } catch (InvalidOperationException) { }
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        await _stream.DisposeAsync();
        _socket.Dispose();
        _writeLock.Dispose();
    }
}
