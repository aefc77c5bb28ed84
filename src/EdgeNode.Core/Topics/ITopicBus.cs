namespace EdgeNode.Core.Topics;

/// <summary>One message on a topic of the node's publish/subscribe bus (MQTT): its topic, payload and retain flag.</summary>
public readonly record struct TopicMessage(string Topic, ReadOnlyMemory<byte> Payload, bool Retain);

/// <summary>Is told of messages matching the filters it observes (<see cref="ITopicBus.Observe"/>).</summary>
public interface ITopicObserver
{
    /// <summary>
    /// A message someone other than the node published (a device, another client, the upstream bridge), told once
    /// however many of the observer's filters match it; on the publisher's thread, so return quickly.
    /// </summary>
    void OnMessage(in TopicMessage message);
}

/// <summary>
/// The node's publish/subscribe bus as services that are not the broker use it (the device service): observe topic
/// filters, publish, read what is retained. The MQTT broker implements it in the executable, so such services need
/// no MQTT library.
/// </summary>
public interface ITopicBus
{
    /// <summary>Starts telling <paramref name="observer"/> of messages matching <paramref name="filter"/> (MQTT filter syntax); dispose to stop.</summary>
    IDisposable Observe(string filter, ITopicObserver observer);

    /// <summary>Publishes a message as the node (its own observers are not told of it).</summary>
    void Publish(string topic, ReadOnlyMemory<byte> payload, int qos, bool retain);

    /// <summary>Every retained message now (what a new subscriber to '#' would get first).</summary>
    IReadOnlyList<TopicMessage> Retained();
}
