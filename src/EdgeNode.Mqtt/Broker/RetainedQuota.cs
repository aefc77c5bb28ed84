using EdgeNode.Core.Configuration;
using EdgeNode.Mqtt.Messaging;

namespace EdgeNode.Mqtt.Broker;

/// <summary>The answer to "may this retained message be stored?".</summary>
internal enum RetainedVerdict : byte
{
    Stored = 0,

    /// <summary>The publishing account would pass Mqtt:MaxRetainedPerAccount or Mqtt:MaxRetainedBytesPerAccount.</summary>
    AccountFull = 1,

    /// <summary>The node would pass Mqtt:MaxRetained or Mqtt:MaxRetainedBytes.</summary>
    NodeFull = 2,
}

/// <summary>
/// Who stored each retained message and how much every account and the node hold, for the retained limits. A
/// message that replaces one of the same account without growing is always let through, so an account already over
/// a lowered limit can still update what it has; anything new must fit. Not thread-safe: the broker holds its
/// retained lock around every call.
/// </summary>
internal sealed class RetainedQuota
{
    private readonly Dictionary<string, (string? Owner, long Size)> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Usage> _accounts = new(StringComparer.Ordinal);

    public int Count => _topics.Count;

    public long Bytes { get; private set; }

    /// <summary>What a retained message counts: topic, payload and properties.</summary>
    public static long SizeOf(MqttMessage message) => message.TopicUtf8.Length + message.PayloadBytes.Length + message.PropertyBlock.Length;

    /// <summary>Messages and bytes stored by <paramref name="account"/>.</summary>
    public (int Count, long Bytes) Of(string account) => _accounts.TryGetValue(account, out Usage? usage) ? (usage.Count, usage.Bytes) : (0, 0);

    /// <summary>Whether <paramref name="owner"/> (null: the node itself, held to the node-wide limits only) may store the message.</summary>
    public RetainedVerdict Check(MqttMessage message, string? owner, MqttOptions options)
    {
        long size = SizeOf(message);
        bool exists = _topics.TryGetValue(message.Topic, out (string? Owner, long Size) old);
        long oldSize = exists ? old.Size : 0;
        if (!exists && _topics.Count >= options.MaxRetained)
        {
            return RetainedVerdict.NodeFull;
        }

        if (size > oldSize && Bytes - oldSize + size > options.MaxRetainedBytes)
        {
            return RetainedVerdict.NodeFull;
        }

        if (owner is null)
        {
            return RetainedVerdict.Stored;
        }

        bool mine = exists && string.Equals(old.Owner, owner, StringComparison.Ordinal);
        (int count, long bytes) = Of(owner);
        if (!mine && count >= options.MaxRetainedPerAccount)
        {
            return RetainedVerdict.AccountFull;
        }

        long replaced = mine ? oldSize : 0;
        if (size > replaced && bytes - replaced + size > options.MaxRetainedBytesPerAccount)
        {
            return RetainedVerdict.AccountFull;
        }

        return RetainedVerdict.Stored;
    }

    public void Set(MqttMessage message, string? owner)
    {
        Remove(message.Topic);
        long size = SizeOf(message);
        _topics[message.Topic] = (owner, size);
        Bytes += size;
        if (owner is not null)
        {
            if (!_accounts.TryGetValue(owner, out Usage? usage))
            {
                _accounts[owner] = usage = new Usage();
            }

            usage.Count++;
            usage.Bytes += size;
        }
    }

    public void Remove(string topic)
    {
        if (!_topics.Remove(topic, out (string? Owner, long Size) old))
        {
            return;
        }

        Bytes -= old.Size;
        if (old.Owner is not null && _accounts.TryGetValue(old.Owner, out Usage? usage))
        {
            usage.Count--;
            usage.Bytes -= old.Size;
            if (usage.Count == 0)
            {
                _accounts.Remove(old.Owner);
            }
        }
    }

    private sealed class Usage
    {
        public int Count;
        public long Bytes;
    }
}
