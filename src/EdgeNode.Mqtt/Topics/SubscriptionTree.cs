using System.Text;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Topics;

/// <summary>
/// The subscriptions of a broker as a tree of filter levels. Many threads may match at once without
/// locking and without allocating; subscribe and unsubscribe take one lock among themselves and publish
/// copy-on-write arrays, so a match that overlaps a change sees the tree either before or after it.
/// </summary>
public sealed partial class SubscriptionTree<TSubscriber>
    where TSubscriber : notnull
{
    /// <summary>Deep enough for any real topic scheme, shallow enough that matching (which recurses per level) cannot exhaust the stack.</summary>
    public const int DefaultMaxFilterLevels = 128;

    private readonly Node _root = new(null, NodeKind.Root, []);
    private readonly Lock _writeLock = new();
    private readonly IEqualityComparer<TSubscriber> _comparer;
    private readonly int _maxFilterLevels;
    private int _count;

    public SubscriptionTree(int maxFilterLevels = DefaultMaxFilterLevels, IEqualityComparer<TSubscriber>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFilterLevels, 1);
        _maxFilterLevels = maxFilterLevels;
        _comparer = comparer ?? EqualityComparer<TSubscriber>.Default;
    }

    /// <summary>
    /// Whether a shared group member can take a message now (the broker: its client is connected). Members for
    /// which it is false are passed over in the round-robin while any other is available; null: all are.
    /// </summary>
    public Func<TSubscriber, bool>? SharedMemberAvailable { get; init; }

    /// <summary>Subscriptions held, shared group members included.</summary>
    public int Count => Volatile.Read(ref _count);

    public SubscribeResult Subscribe(TSubscriber subscriber, string filter, MqttSubscriptionOptions options, uint subscriptionIdentifier = 0) =>
        Subscribe(subscriber, Encoding.UTF8.GetBytes(filter), options, subscriptionIdentifier);

    /// <summary>Adds a subscription, or replaces the options of the subscriber's existing one on the same filter.</summary>
    public SubscribeResult Subscribe(TSubscriber subscriber, ReadOnlySpan<byte> filter, MqttSubscriptionOptions options, uint subscriptionIdentifier = 0)
    {
        if (!TrySplit(filter, out ReadOnlySpan<byte> shareName, out ReadOnlySpan<byte> topicFilter, out bool shared))
        {
            return SubscribeResult.InvalidFilter;
        }

        var entry = new Entry(subscriber, options, subscriptionIdentifier);
        lock (_writeLock)
        {
            Node node = GetOrAddNode(topicFilter);
            bool replaced;
            if (shared)
            {
                ShareGroup group = GetOrAddGroup(node, shareName);
                Volatile.Write(ref group.Members, Upsert(group.Members, entry, out replaced));
            }
            else
            {
                Volatile.Write(ref node.Subscribers, Upsert(node.Subscribers, entry, out replaced));
            }

            if (replaced)
            {
                return SubscribeResult.Replaced;
            }

            _count++;
            return SubscribeResult.Added;
        }
    }

    public bool Unsubscribe(TSubscriber subscriber, string filter) => Unsubscribe(subscriber, Encoding.UTF8.GetBytes(filter));

    /// <summary>Removes the subscriber's subscription on exactly this filter; false if it had none.</summary>
    public bool Unsubscribe(TSubscriber subscriber, ReadOnlySpan<byte> filter)
    {
        if (!TrySplit(filter, out ReadOnlySpan<byte> shareName, out ReadOnlySpan<byte> topicFilter, out bool shared))
        {
            return false;
        }

        lock (_writeLock)
        {
            Node? node = FindNode(topicFilter);
            if (node is null)
            {
                return false;
            }

            if (shared)
            {
                int g = IndexOfGroup(node.Groups, shareName);
                if (g < 0 || !TryRemove(node.Groups[g].Members, subscriber, out Entry[] members))
                {
                    return false;
                }

                Volatile.Write(ref node.Groups[g].Members, members);
                if (members.Length == 0)
                {
                    Volatile.Write(ref node.Groups, RemoveAt(node.Groups, g));
                }
            }
            else
            {
                if (!TryRemove(node.Subscribers, subscriber, out Entry[] subscribers))
                {
                    return false;
                }

                Volatile.Write(ref node.Subscribers, subscribers);
            }

            _count--;
            Prune(node);
            return true;
        }
    }

    private bool TrySplit(ReadOnlySpan<byte> filter, out ReadOnlySpan<byte> shareName, out ReadOnlySpan<byte> topicFilter, out bool shared)
    {
        shared = MqttTopic.IsShared(filter);
        if (shared)
        {
            if (!MqttTopic.TryParseShared(filter, out shareName, out topicFilter))
            {
                return false;
            }
        }
        else
        {
            shareName = default;
            topicFilter = filter;
            if (!MqttTopic.IsValidTopicFilter(filter))
            {
                return false;
            }
        }

        return MqttTopic.CountLevels(topicFilter) <= _maxFilterLevels;
    }

    private Node GetOrAddNode(ReadOnlySpan<byte> filter)
    {
        Node node = _root;
        foreach (Range range in filter.Split((byte)'/'))
        {
            ReadOnlySpan<byte> level = filter[range];
            if (level.Length == 1 && level[0] == (byte)'+')
            {
                node = node.SingleLevel ?? Publish(ref node.SingleLevel, new Node(node, NodeKind.SingleLevelWildcard, [(byte)'+']));
            }
            else if (level.Length == 1 && level[0] == (byte)'#')
            {
                node = node.MultiLevel ?? Publish(ref node.MultiLevel, new Node(node, NodeKind.MultiLevelWildcard, [(byte)'#']));
            }
            else
            {
                Node[] children = node.Children;
                int index = FindChild(children, level);
                if (index >= 0)
                {
                    node = children[index];
                }
                else
                {
                    var child = new Node(node, NodeKind.Literal, level.ToArray());
                    Volatile.Write(ref node.Children, InsertAt(children, ~index, child));
                    node = child;
                }
            }
        }

        return node;
    }

    private Node? FindNode(ReadOnlySpan<byte> filter)
    {
        Node? node = _root;
        foreach (Range range in filter.Split((byte)'/'))
        {
            ReadOnlySpan<byte> level = filter[range];
            if (level.Length == 1 && level[0] == (byte)'+')
            {
                node = node.SingleLevel;
            }
            else if (level.Length == 1 && level[0] == (byte)'#')
            {
                node = node.MultiLevel;
            }
            else
            {
                int index = FindChild(node.Children, level);
                node = index >= 0 ? node.Children[index] : null;
            }

            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    // Removes nodes left with nothing below them, so the tree does not keep the shape of every topic ever subscribed.
    private static void Prune(Node node)
    {
        while (node.Parent is { } parent && node.IsEmpty)
        {
            switch (node.Kind)
            {
                case NodeKind.SingleLevelWildcard:
                    Volatile.Write(ref parent.SingleLevel, null);
                    break;
                case NodeKind.MultiLevelWildcard:
                    Volatile.Write(ref parent.MultiLevel, null);
                    break;
                default:
                    Volatile.Write(ref parent.Children, RemoveAt(parent.Children, FindChild(parent.Children, node.Level)));
                    break;
            }

            node = parent;
        }
    }

    private static ShareGroup GetOrAddGroup(Node node, ReadOnlySpan<byte> shareName)
    {
        ShareGroup[] groups = node.Groups;
        int index = IndexOfGroup(groups, shareName);
        if (index >= 0)
        {
            return groups[index];
        }

        var group = new ShareGroup(shareName.ToArray());
        Volatile.Write(ref node.Groups, InsertAt(groups, groups.Length, group));
        return group;
    }

    private static int IndexOfGroup(ShareGroup[] groups, ReadOnlySpan<byte> shareName)
    {
        for (int i = 0; i < groups.Length; i++)
        {
            if (groups[i].Name.AsSpan().SequenceEqual(shareName))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Binary search by level bytes; the complement of the insertion point when absent.</summary>
    private static int FindChild(Node[] children, ReadOnlySpan<byte> level)
    {
        int low = 0;
        int high = children.Length - 1;
        while (low <= high)
        {
            int mid = (int)((uint)(low + high) >> 1);
            int order = children[mid].Level.AsSpan().SequenceCompareTo(level);
            if (order == 0)
            {
                return mid;
            }

            if (order < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return ~low;
    }

    private Entry[] Upsert(Entry[] entries, in Entry entry, out bool replaced)
    {
        Entry[] copy;
        for (int i = 0; i < entries.Length; i++)
        {
            if (_comparer.Equals(entries[i].Subscriber, entry.Subscriber))
            {
                copy = (Entry[])entries.Clone();
                copy[i] = entry;
                replaced = true;
                return copy;
            }
        }

        replaced = false;
        return InsertAt(entries, entries.Length, entry);
    }

    private bool TryRemove(Entry[] entries, TSubscriber subscriber, out Entry[] result)
    {
        for (int i = 0; i < entries.Length; i++)
        {
            if (_comparer.Equals(entries[i].Subscriber, subscriber))
            {
                result = RemoveAt(entries, i);
                return true;
            }
        }

        result = entries;
        return false;
    }

    private static T Publish<T>(ref T? field, T value)
        where T : class
    {
        Volatile.Write(ref field, value);
        return value;
    }

    private static T[] InsertAt<T>(T[] source, int index, T item)
    {
        var copy = new T[source.Length + 1];
        source.AsSpan(0, index).CopyTo(copy);
        copy[index] = item;
        source.AsSpan(index).CopyTo(copy.AsSpan(index + 1));
        return copy;
    }

    private static T[] RemoveAt<T>(T[] source, int index)
    {
        if (source.Length == 1)
        {
            return [];
        }

        var copy = new T[source.Length - 1];
        source.AsSpan(0, index).CopyTo(copy);
        source.AsSpan(index + 1).CopyTo(copy.AsSpan(index));
        return copy;
    }
}
