using System.Net.Security;

namespace EdgeNode.Core.Tls;

/// <summary>
/// The one TLS policy of every listener, whether it runs on the node's own OpenSSL streams or on SslStream: TLS 1.2
/// and 1.3 only, and for TLS 1.2 only ECDHE key exchange with AEAD ciphers (Mozilla's "intermediate" list without the
/// DHE suites): no CBC, no SHA-1 MAC, no RSA key exchange. The client's order of preference decides, since every suite
/// offered is strong and a client without AES hardware (a Raspberry Pi, a phone) knows it wants ChaCha20.
/// </summary>
public static class TlsPolicy
{
    /// <summary>The TLS 1.2 suites in OpenSSL's names (SSL_CTX_set_cipher_list); TLS 1.3 suites stay OpenSSL's three.</summary>
    public const string Tls12Ciphers =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" +
        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

    /// <summary>
    /// How long one set of session-ticket keys is used by the raw TLS listeners before a fresh context (with fresh
    /// random keys) takes over: a ticket key that leaks opens at most a day of recorded sessions.
    /// </summary>
    public static readonly TimeSpan TicketKeyLifetime = TimeSpan.FromDays(1);

    /// <summary>The same suites for SslStream listeners (TLS 1.3 first, then TLS 1.2 as above).</summary>
    public static CipherSuitesPolicy CipherSuites { get; } = new(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);

    /// <summary>
    /// Puts the policy on SslStream server options. Session resumption is off there: SslStream keeps one OpenSSL
    /// context (and so one set of ticket keys) for the life of the process, and these listeners (Matrix federation,
    /// XMPP server-to-server) hold few, long connections, for which a full handshake costs nothing worth keeping a
    /// key for.
    /// </summary>
    public static SslServerAuthenticationOptions Apply(SslServerAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.CipherSuitesPolicy = CipherSuites;
        options.AllowTlsResume = false;
        options.EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
        return options;
    }
}
