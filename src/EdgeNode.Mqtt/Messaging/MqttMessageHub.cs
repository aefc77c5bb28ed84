using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Topics;

namespace EdgeNode.Mqtt.Messaging;

/// <summary>Where a message came from.</summary>
public enum MqttMessageOrigin
{
    /// <summary>A client of the embedded broker published it.</summary>
    EmbeddedBroker,

    /// <summary>It arrived from the upstream broker through the bridge.</summary>
    Upstream,

    /// <summary>The node itself published it through <see cref="MqttMessageHub.Publish"/>.</summary>
    Node,
}

/// <summary>Receives the messages whose topic matches a filter it observes.</summary>
public interface IMqttMessageObserver
{
    void OnMessage(MqttMessage message, MqttMessageOrigin origin);
}

/// <summary>Something that can carry a message to devices: the embedded broker, the bridge.</summary>
public interface IMqttMessageTarget
{
    void Publish(MqttMessage message, MqttMessageOrigin origin);
}

/// <summary>
/// The protocol-neutral seam between MQTT and the rest of the node. The embedded broker and the bridge both
/// report here every message that arrives ("message arrived on topic"), and both carry what the node publishes
/// ("publish this"), so a device is handled the same whether it talks to our broker or to an upstream one.
/// </summary>
public sealed class MqttMessageHub
{
    private readonly SubscriptionTree<IMqttMessageObserver> _observers = new(comparer: ReferenceEqualityComparer.Instance);
    private volatile IMqttMessageTarget[] _targets = [];
    private readonly Lock _targetsLock = new();

    /// <summary>True when at least one observer exists, so a sender can skip copying a message nobody wants.</summary>
    public bool HasObservers => _observers.Count > 0;

    /// <summary>Starts delivering messages matching <paramref name="filter"/> (shared filters are not accepted here).</summary>
    public IDisposable Observe(string filter, IMqttMessageObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (MqttTopic.IsShared(System.Text.Encoding.UTF8.GetBytes(filter)) || _observers.Subscribe(observer, filter, new MqttSubscriptionOptions(MqttQos.ExactlyOnce)) == SubscribeResult.InvalidFilter)
        {
            throw new ArgumentException($"'{filter}' is not a topic filter", nameof(filter));
        }

        return new Observation(this, filter, observer);
    }

    /// <summary>Registers a carrier of published messages (the embedded broker, the bridge).</summary>
    public void AddTarget(IMqttMessageTarget target)
    {
        lock (_targetsLock)
        {
            _targets = [.. _targets, target];
        }
    }

    /// <summary>Publishes a message from the node to every device, on the embedded broker and upstream.</summary>
    public void Publish(MqttMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (IMqttMessageTarget target in _targets)
        {
            target.Publish(message, MqttMessageOrigin.Node);
        }
    }

    /// <summary>True when some observer's filter matches <paramref name="topic"/>.</summary>
    public bool Wants(ReadOnlySpan<byte> topic)
    {
        if (_observers.Count == 0)
        {
            return false;
        }

        var probe = new Probe();
        _observers.Match(topic, ref probe);
        return probe.Found;
    }

    /// <summary>Reports a message that arrived from a device to every observer whose filter matches.</summary>
    public void Arrived(MqttMessage message, MqttMessageOrigin origin)
    {
        var deliver = new Deliver(message, origin);
        _observers.Match(message.TopicUtf8, ref deliver);
    }

    private struct Probe : ISubscriptionVisitor<IMqttMessageObserver>
    {
        public bool Found;

        public void Visit(in MatchedSubscription<IMqttMessageObserver> match) => Found = true;
    }

    private readonly struct Deliver(MqttMessage message, MqttMessageOrigin origin) : ISubscriptionVisitor<IMqttMessageObserver>
    {
        public void Visit(in MatchedSubscription<IMqttMessageObserver> match) => match.Subscriber.OnMessage(message, origin);
    }

    private sealed class Observation(MqttMessageHub hub, string filter, IMqttMessageObserver observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hub._observers.Unsubscribe(observer, filter);
            }
        }
    }
}
