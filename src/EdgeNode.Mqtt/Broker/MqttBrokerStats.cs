namespace EdgeNode.Mqtt.Broker;

/// <summary>Counters for the $SYS topics, bumped with interlocked adds (nothing allocated on the hot path).</summary>
public sealed class MqttBrokerStats
{
    private long _packetsReceived;
    private long _packetsSent;
    private long _publishReceived;
    private long _publishSent;
    private long _publishDropped;
    private long _bytesReceived;
    private long _bytesSent;
    private int _connected;
    private int _maximumConnected;

    public long PacketsReceived => Volatile.Read(ref _packetsReceived);

    public long PacketsSent => Volatile.Read(ref _packetsSent);

    public long PublishReceived => Volatile.Read(ref _publishReceived);

    public long PublishSent => Volatile.Read(ref _publishSent);

    public long PublishDropped => Volatile.Read(ref _publishDropped);

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    public long BytesSent => Volatile.Read(ref _bytesSent);

    public int Connected => Volatile.Read(ref _connected);

    public int MaximumConnected => Volatile.Read(ref _maximumConnected);

    internal void PacketReceived(int size)
    {
        Interlocked.Increment(ref _packetsReceived);
        Interlocked.Add(ref _bytesReceived, size);
    }

    internal void PublishReceivedOne() => Interlocked.Increment(ref _publishReceived);

    internal void PacketSent(int size)
    {
        Interlocked.Increment(ref _packetsSent);
        Interlocked.Add(ref _bytesSent, size);
    }

    internal void PublishSentOne(int size)
    {
        Interlocked.Increment(ref _publishSent);
        PacketSent(size);
    }

    internal void Dropped() => Interlocked.Increment(ref _publishDropped);

    internal void ClientConnected()
    {
        int now = Interlocked.Increment(ref _connected);
        int max;
        while (now > (max = Volatile.Read(ref _maximumConnected)) && Interlocked.CompareExchange(ref _maximumConnected, now, max) != max)
        {
        }
    }

    internal void ClientDisconnected() => Interlocked.Decrement(ref _connected);
}
