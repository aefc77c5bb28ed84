using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Tls;

namespace EdgeNode.Hosting;

/// <summary>The OpenSSL contexts of the raw TLS listeners, one per ALPN name, disposed with the host.</summary>
internal sealed class RawTlsContexts(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain) : IDisposable
{
    /// <summary>As long as Kestrel gives an HTTPS handshake.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public TlsServerContext XmppClient { get; } = TlsServerContext.Create(certificate, chain, ["xmpp-client"]);
    public TlsServerContext Mqtt { get; } = TlsServerContext.Create(certificate, chain, ["mqtt"]);

    public void Dispose()
    {
        XmppClient.Dispose();
        Mqtt.Dispose();
    }
}
