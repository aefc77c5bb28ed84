using EdgeNode.Core.Tls;

namespace EdgeNode.Hosting;

/// <summary>
/// The OpenSSL contexts of the raw TLS listeners, one per ALPN name, asked for at each handshake so that a renewed
/// certificate is presented from the next connection on; the certificate holder owns and disposes them.
/// </summary>
internal sealed class RawTlsContexts(ServerCertificate certificate)
{
    /// <summary>As long as Kestrel gives an HTTPS handshake.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public TlsServerContext XmppClient => certificate.OpenSslContext("xmpp-client");
    public TlsServerContext Mqtt => certificate.OpenSslContext("mqtt");
}
