using System.Text;

namespace EdgeNode.Mqtt.Broker;

/// <summary>The per-account and node-wide limits: retained messages, persistent sessions, subscriptions, and their logging.</summary>
public sealed partial class MqttBroker
{
    /// <summary>The account all anonymous (loopback) clients share for the limits; no device name is empty.</summary>
    internal const string AnonymousAccount = "";

    private readonly RetainedQuota _retainedQuota = new();
    private int _nodeRetainedFullLogged;
    private readonly Dictionary<string, int> _subscriptionsPerAccount = new(StringComparer.Ordinal);
    private readonly Lock _subscriptionsPerAccountLock = new();

    /// <summary>The open connections (for tests that drive the timers by hand).</summary>
    internal ICollection<MqttConnection> Connections => _connections.Keys;

    /// <summary>Messages and bytes of retained messages that <paramref name="username"/> (null: anonymous) has stored.</summary>
    internal (int Count, long Bytes) RetainedUsage(string? username)
    {
        lock (_retainedLock)
        {
            return _retainedQuota.Of(AccountOf(username));
        }
    }

    internal static string AccountOf(string? username) => username ?? AnonymousAccount;

    /// <summary>Persistent sessions of the account other than the one of <paramref name="key"/>. Called under the sessions lock.</summary>
    private int PersistentSessionsOf(string? username, string key)
    {
        int count = 0;
        foreach (MqttSession session in _sessions.Values)
        {
            if (session.Persistent && !session.Discarded && string.Equals(session.Username, username, StringComparison.Ordinal)
                && !string.Equals(session.Key, key, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Subscriptions the sessions of <paramref name="username"/> (null: anonymous) hold now.</summary>
    internal int SubscriptionsOf(string? username)
    {
        lock (_subscriptionsPerAccountLock)
        {
            return _subscriptionsPerAccount.GetValueOrDefault(AccountOf(username));
        }
    }

    /// <summary>Counts one more subscription for the account, unless it holds Mqtt:MaxSubscriptionsPerAccount already.</summary>
    private bool TryTakeSubscription(string? username)
    {
        lock (_subscriptionsPerAccountLock)
        {
            string account = AccountOf(username);
            int held = _subscriptionsPerAccount.GetValueOrDefault(account);
            if (held >= Options.MaxSubscriptionsPerAccount)
            {
                return false;
            }

            _subscriptionsPerAccount[account] = held + 1;
            return true;
        }
    }

    private void AddSubscriptions(string? username, int count)
    {
        lock (_subscriptionsPerAccountLock)
        {
            string account = AccountOf(username);
            _subscriptionsPerAccount[account] = _subscriptionsPerAccount.GetValueOrDefault(account) + count;
        }
    }

    private void ReleaseSubscriptions(string? username, int count)
    {
        if (count == 0)
        {
            return;
        }

        lock (_subscriptionsPerAccountLock)
        {
            string account = AccountOf(username);
            int left = _subscriptionsPerAccount.GetValueOrDefault(account) - count;
            if (left > 0)
            {
                _subscriptionsPerAccount[account] = left;
            }
            else
            {
                _subscriptionsPerAccount.Remove(account);
            }
        }
    }

    private void LogNodeRetainedFull(string topic)
    {
        if (Interlocked.Exchange(ref _nodeRetainedFullLogged, 1) == 0)
        {
            MqttBrokerLog.NodeRetainedFull(_logger, topic, Options.MaxRetained, Options.MaxRetainedBytes);
        }
    }

    internal void LogRetainedQuotaExceeded(string clientId, string? user, ReadOnlySpan<byte> topic) =>
        MqttBrokerLog.RetainedQuotaExceeded(_logger, clientId, user ?? "(anonymous)", Encoding.UTF8.GetString(topic));

    internal void LogSubscriptionQuotaExceeded(string clientId, string? user, string filter) =>
        MqttBrokerLog.SubscriptionQuotaExceeded(_logger, clientId, user ?? "(anonymous)", filter, Options.MaxSubscriptionsPerSession, Options.MaxSubscriptionsPerAccount);

    internal void LogBacklogTimeout(string clientId, long unsent) => MqttBrokerLog.BacklogTimeout(_logger, clientId, unsent);

    internal void LogQueueFull(string clientId, int messages, long bytes) => MqttBrokerLog.QueueFull(_logger, clientId, messages, bytes);
}
