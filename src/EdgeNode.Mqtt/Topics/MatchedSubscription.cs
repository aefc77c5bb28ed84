using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Topics;

/// <summary>One subscription that a published topic matched.</summary>
public readonly struct MatchedSubscription<TSubscriber>
{
    internal MatchedSubscription(TSubscriber subscriber, MqttSubscriptionOptions options, uint subscriptionIdentifier, object? sharedGroup)
    {
        Subscriber = subscriber;
        Options = options;
        SubscriptionIdentifier = subscriptionIdentifier;
        SharedGroup = sharedGroup;
    }

    public TSubscriber Subscriber { get; }

    public MqttSubscriptionOptions Options { get; }

    /// <summary>0 when the subscription has none.</summary>
    public uint SubscriptionIdentifier { get; }

    /// <summary>Chosen as the one member of a shared subscription group that receives this message.</summary>
    public bool IsShared => SharedGroup is not null;

    /// <summary>
    /// The shared subscription group the member was chosen from (opaque), for
    /// <see cref="SubscriptionTree{TSubscriber}.TryPickOtherMember"/>; null for an ordinary subscription.
    /// </summary>
    public object? SharedGroup { get; }
}

/// <summary>
/// Receives matches during <see cref="SubscriptionTree{TSubscriber}.Match{TVisitor}"/>. A struct (or ref struct)
/// visitor is called directly, without a delegate or boxing. A subscriber with several matching filters is
/// visited once for each; merging them (highest QoS, all identifiers) is the caller's choice.
/// </summary>
public interface ISubscriptionVisitor<TSubscriber>
{
    void Visit(in MatchedSubscription<TSubscriber> match);
}
