using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace EdgeNode.Core.Tls;

/// <summary>
/// The certificate the node presents right now, which every TLS listener asks for at each handshake: Kestrel's
/// HTTPS and SslStream listeners through <see cref="Certificate"/> and <see cref="SslContext"/>, the node's own
/// OpenSSL streams through <see cref="OpenSslContext"/>. <see cref="Replace"/> swaps all of them at once (a renewed
/// ACME certificate), so connections made after it see the new certificate and open ones keep theirs. Each OpenSSL
/// context is also replaced daily by its <see cref="TlsContextRotation"/>, which gives it fresh session-ticket keys.
/// </summary>
public sealed class ServerCertificate : IDisposable
{
    private Generation _current;
    // The generation before the current one stays alive until the next swap: a handshake that read it just before
    // a swap may still be using its certificate or its OpenSSL context.
    private Generation? _retired;
    private readonly Lock _swap = new();
    private readonly TimeProvider _time;

    public ServerCertificate(X509Certificate2 certificate, IReadOnlyList<X509Certificate2>? chain = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _current = new Generation(certificate, chain ?? [], owned: false, _time);
    }

    public X509Certificate2 Certificate => Volatile.Read(ref _current).Certificate;

    /// <summary>The intermediates sent after <see cref="Certificate"/>.</summary>
    public IReadOnlyList<X509Certificate2> Chain => Volatile.Read(ref _current).Chain;

    /// <summary>The certificate with its chain for SslStream servers (made once per certificate).</summary>
    public SslStreamCertificateContext SslContext => Volatile.Read(ref _current).SslContext;

    /// <summary>
    /// The OpenSSL context for a listener that negotiates <paramref name="applicationProtocol"/> by ALPN (null: none,
    /// as for STARTTLS), made on first use for each certificate.
    /// </summary>
    public TlsServerContext OpenSslContext(string? applicationProtocol = null) => Volatile.Read(ref _current).OpenSsl(applicationProtocol);

    /// <summary>
    /// Makes <paramref name="certificate"/> (with its private key) the one every listener presents from the next
    /// handshake on. The OpenSSL contexts are made here, so a certificate OpenSSL refuses throws and changes nothing.
    /// </summary>
    public void Replace(X509Certificate2 certificate, IReadOnlyList<X509Certificate2>? chain = null)
    {
        var next = new Generation(certificate, chain ?? [], owned: true, _time);
        try
        {
            next.OpenSsl(null);
        }
        catch
        {
            next.Dispose(disposeCertificates: false);
            throw;
        }
        Generation? old;
        lock (_swap)
        {
            old = _retired;
            _retired = _current;
            Volatile.Write(ref _current, next);
        }
        old?.Dispose();
    }

    /// <summary>Disposes the OpenSSL contexts and the certificates given to <see cref="Replace"/>; never the first one (its owner disposes it).</summary>
    public void Dispose()
    {
        lock (_swap)
        {
            _retired?.Dispose();
            _current.Dispose();
        }
    }

    private sealed class Generation(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain, bool owned, TimeProvider time)
    {
        private readonly Dictionary<string, TlsContextRotation> _contexts = new(StringComparer.Ordinal);
        private SslStreamCertificateContext? _sslContext;

        public X509Certificate2 Certificate { get; } = certificate;
        public IReadOnlyList<X509Certificate2> Chain { get; } = chain;

        public SslStreamCertificateContext SslContext =>
            LazyInitializer.EnsureInitialized(ref _sslContext, () => SslStreamCertificateContext.Create(Certificate, new X509Certificate2Collection(Chain.ToArray()), offline: true));

        public TlsServerContext OpenSsl(string? applicationProtocol)
        {
            string key = applicationProtocol ?? "";
            TlsContextRotation? rotation;
            lock (_contexts)
            {
                if (!_contexts.TryGetValue(key, out rotation))
                {
                    string[]? protocols = applicationProtocol is null ? null : [applicationProtocol];
                    rotation = new TlsContextRotation(() => TlsServerContext.Create(Certificate, Chain, protocols), time);
                    _contexts.Add(key, rotation);
                }
            }
            return rotation.Current;
        }

        public void Dispose() => Dispose(owned);

        public void Dispose(bool disposeCertificates)
        {
            lock (_contexts)
            {
                foreach (var context in _contexts.Values) context.Dispose();
                _contexts.Clear();
            }
            if (!disposeCertificates) return;
            Certificate.Dispose();
            foreach (var link in Chain) link.Dispose();
        }
    }
}
