using System.Net;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Connections;
using EdgeNode.Core.Logging;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Hosting;

/// <summary>
/// Admits connections within the node's limits (<see cref="NodeSection"/>): its total; each listener's own pool, so that
/// a flood of one protocol leaves the others served; each XMPP client or MQTT listener's share of connections not yet
/// logged in; and each client's share, counted per address (an IPv4 address, an exact IPv6 address) and, higher, per
/// IPv6 /64. Loopback counts like any address unless <see cref="NodeSection.ConnectionLimitExempt"/> lists it. A
/// refused connection is closed before TLS or any protocol byte, so it costs almost nothing; refusals are logged once
/// per burst, with a count.
/// </summary>
internal sealed class ConnectionGate(NodeSection limits, ILogger logger, TimeProvider time)
{
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Dictionary<string, int> _perPrefix = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly BurstLog _refusals = new(time, TimeSpan.FromSeconds(10));
    private int _total;

    /// <summary>Connections admitted and not yet closed, over all listeners.</summary>
    public int Open
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>The pool of one listener, whose middleware goes first on its endpoint.</summary>
    public Pool For(string listener, bool countsLogins) => new(this, listener, countsLogins);

    /// <summary>One listener's connections; <c>countsLogins</c> when its protocol reports logins through <see cref="ConnectionAuthenticationFeature"/>.</summary>
    internal sealed class Pool(ConnectionGate gate, string listener, bool countsLogins)
    {
        private int _open;
        private int _unauthenticated;

        public int Open => Volatile.Read(ref _open);

        public int Unauthenticated => Volatile.Read(ref _unauthenticated);

        public ConnectionDelegate Wrap(ConnectionDelegate next) => async context =>
        {
            IPAddress? ip = context.RemoteEndPoint is IPEndPoint { Address: var a } ? ClientAddress.Exact(a) : null;
            if (TryEnter(ip) is { } refusal)
            {
                gate.Refused(listener, context.RemoteEndPoint?.ToString() ?? "?", refusal);
                context.Abort(new ConnectionAbortedException(refusal));
                return;
            }

            ConnectionAuthenticationFeature? login = countsLogins ? new ConnectionAuthenticationFeature(LoggedIn) : null;
            if (login is not null) context.Features.Set(login);
            try
            {
                await next(context);
            }
            finally
            {
                Leave(ip, login is { IsAuthenticated: false });
            }
        };

        /// <summary>Null when the connection is admitted (and counted); otherwise why not.</summary>
        internal string? TryEnter(IPAddress? ip)
        {
            lock (gate._lock)
            {
                if (gate._total >= gate.Limits.MaxConnections) return "the node holds its maximum of connections";
                if (_open >= gate.Limits.MaxConnectionsPerListener) return "the listener holds its maximum of connections";
                if (countsLogins && _unauthenticated >= gate.Limits.MaxUnauthenticatedPerListener) return "the listener holds its maximum of connections not logged in";
                if (ip is not null && !gate.Exempt(ip) && gate.TakeAddress(ip) is { } refusal) return refusal;
                gate._total++;
                _open++;
                if (countsLogins) _unauthenticated++;
                return null;
            }
        }

        internal void LoggedIn()
        {
            lock (gate._lock)
            {
                _unauthenticated--;
            }
        }

        internal void Leave(IPAddress? ip, bool unauthenticated)
        {
            lock (gate._lock)
            {
                gate._total--;
                _open--;
                if (unauthenticated) _unauthenticated--;
                if (ip is not null && !gate.Exempt(ip)) gate.ReleaseAddress(ip);
            }
        }
    }

    private NodeSection Limits => limits;

    private bool Exempt(IPAddress ip)
    {
        foreach (IPNetwork network in limits.ConnectionLimitExempt)
        {
            if (network.Contains(ip)) return true;
        }

        return false;
    }

    /// <summary>Counts the address (and its /64) under the lock, or says which of its limits it holds.</summary>
    private string? TakeAddress(IPAddress ip)
    {
        _perAddress.TryGetValue(ip, out int held);
        if (held >= limits.MaxConnectionsPerAddress) return "the address holds its maximum of connections";
        string? prefix = ClientAddress.Prefix(ip);
        int inPrefix = 0;
        if (prefix is not null)
        {
            _perPrefix.TryGetValue(prefix, out inPrefix);
            if (inPrefix >= limits.MaxConnectionsPerPrefix) return "the address's /64 holds its maximum of connections";
            _perPrefix[prefix] = inPrefix + 1;
        }

        _perAddress[ip] = held + 1;
        return null;
    }

    private void ReleaseAddress(IPAddress ip)
    {
        Decrement(_perAddress, ip);
        if (ClientAddress.Prefix(ip) is { } prefix) Decrement(_perPrefix, prefix);
    }

    private static void Decrement<TKey>(Dictionary<TKey, int> counts, TKey key) where TKey : notnull
    {
        if (!counts.TryGetValue(key, out int held)) return;
        if (held <= 1) counts.Remove(key);
        else counts[key] = held - 1;
    }

    private void Refused(string listener, string remote, string reason)
    {
        if (_refusals.Count(out int count)) NodeLog.ConnectionsOverLimit(logger, count, listener, remote, reason);
    }
}
