using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Tls;
using Microsoft.AspNetCore.Connections;

namespace EdgeNode.Xmpp.S2s;

/// <summary>
/// The TLS side of the XEP-0368 listener (Xmpp:S2sDirectTlsPort), where Kestrel terminates TLS before the stream's
/// first byte. A client certificate is asked for but never required, and no certificate fails the handshake: the
/// callback keeps what the peer sent (with its intermediates) so that <see cref="S2sInbound"/> judges it exactly as
/// after STARTTLS, offering SASL EXTERNAL when it is valid for the peer's domain and dialback otherwise.
/// </summary>
public static class S2sDirectTls
{
    /// <summary>The ALPN name of server-to-server XMPP (XEP-0368); a peer that offers none is served too.</summary>
    public static readonly SslApplicationProtocol ApplicationProtocol = new("xmpp-server");

    /// <summary>The handshake options for one accepted connection; registers where its peer's chain is kept.</summary>
    public static SslServerAuthenticationOptions ServerOptions(SslStreamCertificateContext certificate, ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(connection);
        var peer = new PeerChainFeature();
        connection.Features.Set(peer);
        return TlsPolicy.Apply(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificate,
            // Asked for, never required: a server without a (valid) certificate still has dialback.
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = peer.Keep,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ApplicationProtocols = [ApplicationProtocol],
        });
    }
}

/// <summary>What the direct TLS handshake saw of the peer's chain; the leaf itself comes from ITlsConnectionFeature.</summary>
internal sealed class PeerChainFeature
{
    public X509Certificate2Collection? Intermediates { get; private set; }

    /// <summary>Never fails the handshake; copies the intermediates the peer sent, which the chain object does not outlive.</summary>
    public bool Keep(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (chain is not null && chain.ChainPolicy.ExtraStore.Count > 0)
        {
            var copies = new X509Certificate2Collection();
            foreach (X509Certificate2 intermediate in chain.ChainPolicy.ExtraStore)
            {
                copies.Add(X509CertificateLoader.LoadCertificate(intermediate.RawData));
            }

            Intermediates = copies;
        }

        return true;
    }
}
