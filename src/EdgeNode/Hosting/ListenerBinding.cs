using System.Net;
using EdgeNode.Core.Configuration;

namespace EdgeNode.Hosting;

/// <summary>
/// Where one listener binds. Every listener binds <see cref="NodeSection.ListenAddresses"/> (or every interface),
/// except a plaintext one (MQTT, Matrix HTTP) whose AllowPlaintext lists no network: that one binds loopback only
/// (the loopback addresses among ListenAddresses, or 127.0.0.1 and ::1), so that no password or token crosses the
/// LAN in clear.
/// </summary>
internal sealed record ListenerBinding(IReadOnlyList<IPAddress> Addresses, bool AnyInterface, bool LoopbackOnly)
{
    public static ListenerBinding For(NodeOptions options, ListenerPlan listener)
    {
        IReadOnlyList<IPAddress> configured = options.Node.ListenAddresses;
        if (PlaintextNetworks(options, listener) is { Count: 0 })
        {
            IPAddress[] loopback = [.. configured.Where(IPAddress.IsLoopback)];
            return new ListenerBinding(loopback.Length > 0 ? loopback : [IPAddress.Loopback, IPAddress.IPv6Loopback], AnyInterface: false, LoopbackOnly: true);
        }

        return configured.Count == 0
            ? new ListenerBinding([IPAddress.IPv6Any], AnyInterface: true, LoopbackOnly: false)
            : new ListenerBinding(configured, AnyInterface: false, LoopbackOnly: false);
    }

    /// <summary>The networks a plaintext listener may serve besides loopback; null when the listener is not plaintext.</summary>
    public static IReadOnlyList<IPNetwork>? PlaintextNetworks(NodeOptions options, ListenerPlan listener) =>
        listener switch
        {
            { Tls: true } => null,
            { Protocol: ListenerProtocol.Mqtt } => options.Mqtt.AllowPlaintext,
            { Protocol: ListenerProtocol.Http } => options.Http.AllowPlaintext,
            _ => null,
        };
}
