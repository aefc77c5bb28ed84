using Microsoft.AspNetCore.Connections;

namespace EdgeNode.Xmpp.S2s;

/// <summary>
/// Kestrel's entry for Xmpp:S2sPort (STARTTLS) and Xmpp:S2sDirectTlsPort (XEP-0368, TLS terminated by Kestrel with
/// <see cref="S2sDirectTls.ServerOptions"/>): every accepted connection is an inbound server stream.
/// </summary>
public sealed class S2sConnectionHandler(S2sService service, bool directTls = false) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) => service.AcceptAsync(connection, directTls);
}
