using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Tls;

namespace EdgeNode.Hosting;

/// <summary>The OpenSSL contexts of the raw TLS listeners, one per ALPN name, each renewed daily; disposed with the host.</summary>
internal sealed class RawTlsContexts(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain, TimeProvider time) : IDisposable
{
    /// <summary>As long as Kestrel gives an HTTPS handshake.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public TlsContextRotation XmppClient { get; } = new(() => TlsServerContext.Create(certificate, chain, ["xmpp-client"]), time);
    public TlsContextRotation Mqtt { get; } = new(() => TlsServerContext.Create(certificate, chain, ["mqtt"]), time);

    public void Dispose()
    {
        XmppClient.Dispose();
        Mqtt.Dispose();
    }
}
