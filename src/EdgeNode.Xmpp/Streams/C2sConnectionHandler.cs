using Microsoft.AspNetCore.Connections;

namespace EdgeNode.Xmpp.Streams;

/// <summary>
/// Kestrel's entry point for the client ports: 5222 (STARTTLS) and 5223 (direct TLS, XEP-0368, where Kestrel has
/// already terminated TLS and STARTTLS is not offered).
/// </summary>
public sealed class C2sConnectionHandler(XmppServer server, bool directTls) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new C2sConnection(server, connection, directTls).RunAsync();
    }
}
