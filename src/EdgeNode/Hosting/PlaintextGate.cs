using System.Net;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Logging;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Hosting;

/// <summary>
/// On a plaintext listener that Mqtt:AllowPlaintext or Http:AllowPlaintext opened beyond loopback: admits loopback
/// and peers in the listed networks, and closes any other at accept, before a byte is read (logged once per burst).
/// </summary>
internal sealed class PlaintextGate(string listener, IReadOnlyList<IPNetwork> allowed, ILogger logger, TimeProvider time)
{
    private readonly BurstLog _refusals = new(time, TimeSpan.FromSeconds(10));

    public ConnectionDelegate Wrap(ConnectionDelegate next) => context =>
    {
        if (context.RemoteEndPoint is IPEndPoint { Address: var address } && !Allowed(ClientAddress.Exact(address)))
        {
            if (_refusals.Count(out int count)) NodeLog.PlaintextPeerRefused(logger, count, listener, context.RemoteEndPoint.ToString()!);
            context.Abort(new ConnectionAbortedException("plaintext is not allowed from this network"));
            return Task.CompletedTask;
        }

        return next(context);
    };

    internal bool Allowed(IPAddress address)
    {
        if (IPAddress.IsLoopback(address)) return true;
        foreach (IPNetwork network in allowed)
        {
            if (network.Contains(address)) return true;
        }

        return false;
    }
}
