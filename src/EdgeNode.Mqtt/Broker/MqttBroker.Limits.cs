using System.Text;

namespace EdgeNode.Mqtt.Broker;

/// <summary>The per-account and node-wide limits: retained messages, persistent sessions, and their logging.</summary>
public sealed partial class MqttBroker
{
    /// <summary>The account all anonymous (loopback) clients share for the limits; no device name is empty.</summary>
    internal const string AnonymousAccount = "";

    private readonly RetainedQuota _retainedQuota = new();
    private int _nodeRetainedFullLogged;

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

    /// <summary>Persistent sessions of the account other than <paramref name="clientId"/>'s own. Called under the sessions lock.</summary>
    private int PersistentSessionsOf(string? username, string clientId)
    {
        int count = 0;
        foreach (MqttSession session in _sessions.Values)
        {
            if (session.Persistent && !session.Discarded && string.Equals(session.Username, username, StringComparison.Ordinal)
                && !string.Equals(session.ClientId, clientId, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
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

    internal void LogBacklogTimeout(string clientId, long unsent) => MqttBrokerLog.BacklogTimeout(_logger, clientId, unsent);

    internal void LogQueueFull(string clientId, int messages, long bytes) => MqttBrokerLog.QueueFull(_logger, clientId, messages, bytes);
}
