using System.Net;
using System.Net.Sockets;
using EdgeNode.Core.Configuration;

namespace EdgeNode.Hosting;

/// <summary>
/// Tries each configured address and port before Kestrel binds, so that a port already in use is reported as one
/// line naming its key rather than as the web host's stack trace. Kestrel's own bind still decides.
/// </summary>
internal static class PortProbe
{
    public static string? FirstTaken(NodeOptions options)
    {
        foreach (var listener in ListenerPlan.For(options))
        {
            var binding = ListenerBinding.For(options, listener);
            // Localhost without IPv6 is still localhost: Kestrel then binds 127.0.0.1 alone, and the probe tries only that.
            IReadOnlyList<IPAddress> addresses = binding.LoopbackOnly && options.Node.ListenAddresses.Count == 0 ? [IPAddress.Loopback] : binding.Addresses;
            foreach (var address in addresses)
            {
                using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                if (address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
                try
                {
                    socket.Bind(new IPEndPoint(address, listener.Port));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                    return $"{listener.Key}: cannot listen on port {listener.Port}: the port is already in use (is another server running?)";
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AccessDenied)
                {
                    var hint = e.SocketErrorCode == SocketError.AccessDenied && listener.Key == ListenerPlan.AcmeHttpPortKey
                        ? " (a port below 1024 needs CAP_NET_BIND_SERVICE; or set Tls:Acme:HttpPort to 0 and forward port 80 to Http:Port)"
                        : "";
                    return $"{listener.Key}: cannot listen on {address} port {listener.Port}: {e.Message}{hint}";
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressFamilyNotSupported)
                {
                    // No IPv6 on this machine: Kestrel's ListenAnyIP falls back to IPv4, and so does this probe.
                    using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    try { v4.Bind(new IPEndPoint(IPAddress.Any, listener.Port)); }
                    catch (SocketException) { return $"{listener.Key}: cannot listen on port {listener.Port}: the port is already in use (is another server running?)"; }
                }
            }
        }
        return null;
    }
}
