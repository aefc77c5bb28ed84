using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Topics;

public sealed partial class SubscriptionTree<TSubscriber>
{
    private enum NodeKind : byte
    {
        Root,
        Literal,
        SingleLevelWildcard,
        MultiLevelWildcard,
    }

    private readonly record struct Entry(TSubscriber Subscriber, MqttSubscriptionOptions Options, uint SubscriptionIdentifier);

    /// <summary>
    /// One filter level. Every array here is immutable once published: writers build a new array and
    /// store it with a release write, so a matcher reading with an acquire sees either the old or the new
    /// array, never a half-built one.
    /// </summary>
    private sealed class Node
    {
        public Node(Node? parent, NodeKind kind, byte[] level)
        {
            Parent = parent;
            Kind = kind;
            Level = level;
        }

        public Node? Parent { get; }

        public NodeKind Kind { get; }

        /// <summary>The level's bytes; empty levels are legal in MQTT.</summary>
        public byte[] Level { get; }

        /// <summary>Literal children, sorted by their level bytes for binary search.</summary>
        public Node[] Children = [];

        public Node? SingleLevel;

        public Node? MultiLevel;

        public Entry[] Subscribers = [];

        public ShareGroup[] Groups = [];

        public bool IsEmpty =>
            Children.Length == 0 && SingleLevel is null && MultiLevel is null && Subscribers.Length == 0 && Groups.Length == 0;
    }

    /// <summary>The members of one <c>$share/{name}/</c> group on one filter; each message goes to one of them.</summary>
    private sealed class ShareGroup
    {
        public ShareGroup(byte[] name)
        {
            Name = name;
        }

        public byte[] Name { get; }

        public Entry[] Members = [];

        /// <summary>Round-robin cursor; matchers advance it with Interlocked, so it needs no lock.</summary>
        public int Next;
    }
}
