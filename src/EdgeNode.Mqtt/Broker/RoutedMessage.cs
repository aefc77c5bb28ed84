using System.Buffers;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;

namespace EdgeNode.Mqtt.Broker;

/// <summary>
/// A message on its way to subscribers: either views into a publisher's receive buffer (copied only when a
/// QoS 1/2 subscriber must keep it, or it is retained) or an owned <see cref="MqttMessage"/>.
/// </summary>
internal ref struct RoutedMessage
{
    public ReadOnlySpan<byte> Topic;
    public ReadOnlySequence<byte> Payload;
    public MqttPublishProperties Properties;
    public MqttQos Qos;
    public bool Retain;
    public MqttPublish Publish;
    public MqttMessage? Owned;

    public static RoutedMessage FromPublish(ReadOnlySpan<byte> topic, in MqttPublish publish) => new()
    {
        Topic = topic,
        Payload = publish.Payload,
        Properties = publish.Properties with { TopicAlias = 0 },
        Qos = publish.Qos,
        Retain = publish.Retain,
        Publish = publish,
    };

    public static RoutedMessage FromMessage(MqttMessage message, uint? expiry) => new()
    {
        Topic = message.TopicUtf8,
        Payload = new ReadOnlySequence<byte>(message.PayloadBytes),
        Properties = message.ToPublishProperties(expiry),
        Qos = message.Qos,
        Retain = message.Retain,
        Owned = message,
    };

    public MqttMessage GetOwned() => Owned ??= MqttMessage.Copy(Topic, Publish, Qos, Retain);
}
