using System.Net;
using EdgeNode.Core.Addressing;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Hosting;

/// <summary>
/// Admits connections to every listener within two limits: the node's total and one client address's share
/// (<see cref="ClientAddress.Key(IPAddress)"/>; loopback is exempt). A refused connection is closed before TLS or
/// any protocol byte, so it costs almost nothing; refusals are logged at most once every ten seconds, with a count.
/// </summary>
internal sealed class ConnectionGate(int maxConnections, int maxPerAddress, ILogger logger, TimeProvider time)
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, int> _perAddress = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _total;
    private int _refusedSinceLog;
    private long _lastLog = long.MinValue;

    /// <summary>Connections admitted and not yet closed.</summary>
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

    /// <summary>The middleware to put first on every endpoint.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async context =>
    {
        string? key = context.RemoteEndPoint is IPEndPoint { Address: var ip } && !IPAddress.IsLoopback(ip) ? ClientAddress.Key(ip) : null;
        if (TryEnter(key) is { } refusal)
        {
            Refused(context.RemoteEndPoint?.ToString() ?? "?", refusal);
            context.Abort(new ConnectionAbortedException(refusal));
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            Leave(key);
        }
    };

    /// <summary>Null when the connection is admitted (and counted); otherwise why not.</summary>
    internal string? TryEnter(string? key)
    {
        lock (_lock)
        {
            if (_total >= maxConnections)
            {
                return "the node holds its maximum of connections";
            }

            if (key is not null)
            {
                _perAddress.TryGetValue(key, out int held);
                if (held >= maxPerAddress)
                {
                    return "the address holds its maximum of connections";
                }

                _perAddress[key] = held + 1;
            }

            _total++;
            return null;
        }
    }

    internal void Leave(string? key)
    {
        lock (_lock)
        {
            _total--;
            if (key is not null && _perAddress.TryGetValue(key, out int held))
            {
                if (held <= 1)
                {
                    _perAddress.Remove(key);
                }
                else
                {
                    _perAddress[key] = held - 1;
                }
            }
        }
    }

    private void Refused(string remote, string reason)
    {
        int count;
        lock (_lock)
        {
            _refusedSinceLog++;
            long now = time.GetTimestamp();
            if (_lastLog != long.MinValue && time.GetElapsedTime(_lastLog, now) < LogInterval)
            {
                return;
            }

            _lastLog = now;
            count = _refusedSinceLog;
            _refusedSinceLog = 0;
        }

        NodeLog.ConnectionsOverLimit(logger, count, remote, reason);
    }
}
