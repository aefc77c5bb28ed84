using EdgeNode.Core.Topics;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;

namespace EdgeNode.Devices.Wiring;

/// <summary>
/// The broker's message hub as the device service's topic bus: observers see what clients and the bridge publish
/// (not the node's own messages), each message once per observer although the hub reports it once per matching
/// filter.
/// </summary>
internal sealed class BrokerTopicBus(MqttMessageHub hub, Func<IReadOnlyList<MqttMessage>> retained) : ITopicBus
{
    private readonly Dictionary<ITopicObserver, Forwarder> _forwarders = new(ReferenceEqualityComparer.Instance);

    public IDisposable Observe(string filter, ITopicObserver observer)
    {
        Forwarder forwarder;
        lock (_forwarders)
        {
            if (!_forwarders.TryGetValue(observer, out forwarder!)) _forwarders[observer] = forwarder = new Forwarder(observer);
        }
        return hub.Observe(filter, forwarder);
    }

    public void Publish(string topic, ReadOnlyMemory<byte> payload, int qos, bool retain) =>
        hub.Publish(new MqttMessage(topic, payload, (MqttQos)qos, retain));

    public IReadOnlyList<TopicMessage> Retained() =>
        [.. retained().Select(m => new TopicMessage(m.Topic, m.Payload, m.Retain))];

    private sealed class Forwarder(ITopicObserver observer) : IMqttMessageObserver
    {
        [ThreadStatic]
        private static MqttMessage? t_last;

        [ThreadStatic]
        private static Forwarder? t_lastBy;

        public void OnMessage(MqttMessage message, MqttMessageOrigin origin)
        {
            if (origin == MqttMessageOrigin.Node || (ReferenceEquals(t_last, message) && ReferenceEquals(t_lastBy, this))) return;
            t_last = message;
            t_lastBy = this;
            observer.OnMessage(new TopicMessage(message.Topic, message.Payload, message.Retain));
        }
    }
}
