namespace EdgeNode.Mqtt.Topics;

public sealed partial class SubscriptionTree<TSubscriber>
{
    /// <summary>
    /// Visits every subscription whose filter matches <paramref name="topic"/>, and for each shared group one
    /// member, chosen round-robin among the available ones (<see cref="SharedMemberAvailable"/>). Levels are
    /// compared as bytes; nothing is allocated. The topic must be a valid topic name (as a decoded PUBLISH's
    /// is); an empty topic matches nothing.
    /// </summary>
    public void Match<TVisitor>(ReadOnlySpan<byte> topic, ref TVisitor visitor)
        where TVisitor : ISubscriptionVisitor<TSubscriber>, allows ref struct
    {
        if (topic.IsEmpty)
        {
            return;
        }

        // Filters that start with a wildcard must not match topics that start with '$' (MQTT-4.7.2-1).
        bool dollar = topic[0] == (byte)'$';
        MatchFrom(_root, topic, 0, dollar, ref visitor);
    }

    /// <summary>Collects the matches into a caller-owned list, which allocates nothing once its capacity suffices.</summary>
    public void Match(ReadOnlySpan<byte> topic, List<MatchedSubscription<TSubscriber>> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var collector = new ListCollector(results);
        Match(topic, ref collector);
    }

    /// <summary>
    /// <paramref name="start"/> is where the next unconsumed level begins, or topic.Length + 1 once every
    /// level is consumed (an offset equal to the length is a real, empty last level, as in "a/").
    /// </summary>
    private void MatchFrom<TVisitor>(Node node, ReadOnlySpan<byte> topic, int start, bool dollar, ref TVisitor visitor)
        where TVisitor : ISubscriptionVisitor<TSubscriber>, allows ref struct
    {
        bool wildcardsAllowed = !(dollar && node.Kind == NodeKind.Root);

        // '#' matches the level it stands on and every level below, including none ("a/#" matches "a").
        if (wildcardsAllowed && Volatile.Read(ref node.MultiLevel) is { } multi)
        {
            VisitNode(multi, ref visitor);
        }

        if (start > topic.Length)
        {
            VisitNode(node, ref visitor);
            return;
        }

        ReadOnlySpan<byte> rest = topic[start..];
        int slash = rest.IndexOf((byte)'/');
        ReadOnlySpan<byte> level = slash < 0 ? rest : rest[..slash];
        int next = slash < 0 ? topic.Length + 1 : start + slash + 1;

        Node[] children = Volatile.Read(ref node.Children);
        if (children.Length != 0)
        {
            int index = FindChild(children, level);
            if (index >= 0)
            {
                MatchFrom(children[index], topic, next, dollar, ref visitor);
            }
        }

        if (wildcardsAllowed && Volatile.Read(ref node.SingleLevel) is { } single)
        {
            MatchFrom(single, topic, next, dollar, ref visitor);
        }
    }

    private void VisitNode<TVisitor>(Node node, ref TVisitor visitor)
        where TVisitor : ISubscriptionVisitor<TSubscriber>, allows ref struct
    {
        foreach (ref readonly Entry entry in Volatile.Read(ref node.Subscribers).AsSpan())
        {
            visitor.Visit(new MatchedSubscription<TSubscriber>(entry.Subscriber, entry.Options, entry.SubscriptionIdentifier, sharedGroup: null));
        }

        foreach (ShareGroup group in Volatile.Read(ref node.Groups))
        {
            Entry[] members = Volatile.Read(ref group.Members);
            if (members.Length == 0)
            {
                continue;
            }

            ref readonly Entry chosen = ref members[Pick(group, members)];
            visitor.Visit(new MatchedSubscription<TSubscriber>(chosen.Subscriber, chosen.Options, chosen.SubscriptionIdentifier, group));
        }
    }

    /// <summary>
    /// The next member in turn that is available; when none is, the next in turn all the same (a persistent
    /// session keeps the message for when it comes back), so a message for a group is never lost for want of
    /// a connected member.
    /// </summary>
    private uint Pick(ShareGroup group, Entry[] members)
    {
        uint count = (uint)members.Length;
        uint start = (uint)Interlocked.Increment(ref group.Next) % count;
        if (SharedMemberAvailable is not { } available || count == 1)
        {
            return start;
        }

        for (uint k = 0; k < count; k++)
        {
            uint index = (start + k) % count;
            if (available(members[index].Subscriber))
            {
                if (k != 0)
                {
                    // The turn moves past the member chosen, so the skipped ones do not shift everyone's share.
                    Interlocked.Add(ref group.Next, (int)k);
                }

                return index;
            }
        }

        return start;
    }

    /// <summary>
    /// Another member of <paramref name="sharedGroup"/> (from <see cref="MatchedSubscription{TSubscriber}.SharedGroup"/>) than
    /// <paramref name="exclude"/>, chosen as <see cref="Match{TVisitor}"/> would; false when the group has no other member.
    /// </summary>
    public bool TryPickOtherMember(object sharedGroup, TSubscriber exclude, out MatchedSubscription<TSubscriber> member)
    {
        var group = (ShareGroup)sharedGroup;
        Entry[] members = Volatile.Read(ref group.Members);
        for (int attempt = 0; attempt < members.Length; attempt++)
        {
            ref readonly Entry chosen = ref members[Pick(group, members)];
            if (!_comparer.Equals(chosen.Subscriber, exclude))
            {
                member = new MatchedSubscription<TSubscriber>(chosen.Subscriber, chosen.Options, chosen.SubscriptionIdentifier, group);
                return true;
            }
        }

        member = default;
        return false;
    }

    private readonly struct ListCollector(List<MatchedSubscription<TSubscriber>> results) : ISubscriptionVisitor<TSubscriber>
    {
        public void Visit(in MatchedSubscription<TSubscriber> match) => results.Add(match);
    }
}
