using System.Threading.Channels;

namespace EdgeNode.Core.Devices;

/// <summary>A front-end's queue of device changes; dispose it to stop receiving.</summary>
public sealed class DeviceSubscription : IDisposable
{
    private readonly DeviceRegistry _registry;
    private readonly Channel<DeviceChange> _channel;

    internal DeviceSubscription(DeviceRegistry registry, Channel<DeviceChange> channel)
    {
        _registry = registry;
        _channel = channel;
    }

    public ChannelReader<DeviceChange> Reader => _channel.Reader;

    internal void Write(DeviceChange change) => _channel.Writer.TryWrite(change);

    public void Dispose()
    {
        _registry.Unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}
