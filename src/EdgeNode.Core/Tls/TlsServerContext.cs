using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace EdgeNode.Core.Tls;

/// <summary>
/// One OpenSSL server context: the node's certificate (with its chain), TLS 1.2 and later with the TLS 1.2 suites of
/// <see cref="TlsPolicy"/> in the client's order of preference, no renegotiation, no compression, and buffers released
/// while a connection is idle. Many connections share one context; <see cref="TlsContextRotation"/> replaces it daily.
/// </summary>
public sealed unsafe class TlsServerContext : IDisposable
{
    private nint _context;

    private TlsServerContext(nint context) => _context = context;

    /// <summary>
    /// A context for <paramref name="certificate"/> (which must carry its private key), sending
    /// <paramref name="chain"/> after it, and choosing the first of <paramref name="applicationProtocols"/>
    /// (in our order of preference) that a client offers by ALPN; a client offering none of them goes on without.
    /// </summary>
    public static TlsServerContext Create(X509Certificate2 certificate, IReadOnlyList<X509Certificate2>? chain = null,
        IReadOnlyList<string>? applicationProtocols = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        byte[] key = ExportPrivateKey(certificate);
        nint context = 0;
        try
        {
            OpenSsl.ErrClearError();
            context = OpenSsl.SslCtxNew(OpenSsl.TlsServerMethod());
            if (context == 0) throw Failure("SSL_CTX_new");
            var result = new TlsServerContext(context);
            // No SSL_OP_CIPHER_SERVER_PREFERENCE: every suite allowed is strong, so the client's own order decides.
            OpenSsl.SslCtxSetOptions(context, OpenSsl.OpNoCompression | OpenSsl.OpNoRenegotiation);
            if (OpenSsl.SslCtxSetCipherList(context, TlsPolicy.Tls12Ciphers) != 1) throw Failure("SSL_CTX_set_cipher_list");
            OpenSsl.SslCtxCtrl(context, OpenSsl.CtrlMode, (nint)(OpenSsl.ModeReleaseBuffers | OpenSsl.ModeAcceptMovingWriteBuffer), 0);
            if (OpenSsl.SslCtxCtrl(context, OpenSsl.CtrlSetMinProtoVersion, OpenSsl.Tls12Version, 0) == 0) throw Failure("setting TLS 1.2 as the minimum");
            // No server-side session cache: resumption uses tickets, which cost the server no memory per client.
            OpenSsl.SslCtxCtrl(context, OpenSsl.CtrlSetSessionCacheMode, 0, 0);
            UseCertificate(context, certificate.RawData);
            UseKey(context, key);
            if (chain is not null)
            {
                foreach (X509Certificate2 link in chain) AddChainCertificate(context, link.RawData);
            }
            if (applicationProtocols is { Count: > 0 }) result.SetApplicationProtocols(applicationProtocols);
            context = 0;
            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            if (context != 0) OpenSsl.SslCtxFree(context);
        }
    }

    internal nint Handle => _context != 0 ? _context : throw new ObjectDisposedException(nameof(TlsServerContext));

    public void Dispose()
    {
        nint context = Interlocked.Exchange(ref _context, 0);
        if (context == 0) return;
        // Connections made from it hold their own reference; OpenSSL frees the context with the last of them.
        OpenSsl.SslCtxFree(context);
        // The ALPN list (a few bytes, once per listener) stays allocated: a handshake still running on a connection
        // made from this context may read it.
    }

    private void SetApplicationProtocols(IReadOnlyList<string> protocols)
    {
        // The wire form: each name preceded by its length byte (RFC 7301 3.1).
        var wire = new List<byte>();
        foreach (string protocol in protocols)
        {
            byte[] name = Encoding.ASCII.GetBytes(protocol);
            if (name.Length is 0 or > 255) throw new ArgumentException($"ALPN protocol name '{protocol}' must be 1 to 255 bytes", nameof(protocols));
            wire.Add((byte)name.Length);
            wire.AddRange(name);
        }
        // Native memory the callback reads without touching managed objects: a 4-byte length, then the list.
        byte* block = (byte*)NativeMemory.Alloc((nuint)(sizeof(int) + wire.Count));
        *(int*)block = wire.Count;
        wire.CopyTo(new Span<byte>(block + sizeof(int), wire.Count));
        OpenSsl.SslCtxSetAlpnSelectCallback(_context, &SelectApplicationProtocol, (nint)block);
    }

    [UnmanagedCallersOnly]
    private static int SelectApplicationProtocol(nint ssl, byte** output, byte* outputLength, byte* offered, uint offeredLength, nint argument)
    {
        byte* ours = (byte*)argument;
        // Server preference first: SSL_select_next_proto walks our list and takes the first the client offered.
        int found = OpenSsl.SslSelectNextProto(output, outputLength, ours + sizeof(int), (uint)*(int*)ours, offered, offeredLength);
        return found == OpenSsl.NpnNegotiated ? OpenSsl.TlsExtErrOk : OpenSsl.TlsExtErrNoAck;
    }

    private static byte[] ExportPrivateKey(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey) throw new ArgumentException("the TLS certificate has no private key", nameof(certificate));
        using AsymmetricAlgorithm? key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey();
        if (key is null) throw new ArgumentException("the TLS certificate's key is neither ECDSA nor RSA", nameof(certificate));
        return key.ExportPkcs8PrivateKey();
    }

    private static void UseCertificate(nint context, byte[] der)
    {
        nint x509 = ParseCertificate(der);
        try
        {
            if (OpenSsl.SslCtxUseCertificate(context, x509) != 1) throw Failure("SSL_CTX_use_certificate");
        }
        finally
        {
            OpenSsl.X509Free(x509);
        }
    }

    private static void AddChainCertificate(nint context, byte[] der)
    {
        nint x509 = ParseCertificate(der);
        try
        {
            // SSL_CTX_add1_chain_cert: the context takes its own reference.
            if (OpenSsl.SslCtxCtrl(context, OpenSsl.CtrlChainCert, 1, x509) != 1) throw Failure("adding a chain certificate");
        }
        finally
        {
            OpenSsl.X509Free(x509);
        }
    }

    private static void UseKey(nint context, byte[] pkcs8)
    {
        nint key;
        fixed (byte* start = pkcs8)
        {
            byte* cursor = start;
            key = OpenSsl.D2iAutoPrivateKey(0, &cursor, pkcs8.Length);
        }
        if (key == 0) throw Failure("reading the private key");
        try
        {
            if (OpenSsl.SslCtxUsePrivateKey(context, key) != 1) throw Failure("SSL_CTX_use_PrivateKey");
            if (OpenSsl.SslCtxCheckPrivateKey(context) != 1) throw Failure("the private key does not match the certificate");
        }
        finally
        {
            OpenSsl.EvpPkeyFree(key);
        }
    }

    private static nint ParseCertificate(byte[] der)
    {
        fixed (byte* start = der)
        {
            byte* cursor = start;
            nint x509 = OpenSsl.D2iX509(0, &cursor, der.Length);
            return x509 != 0 ? x509 : throw Failure("reading a certificate");
        }
    }

    private static CryptographicException Failure(string what) => new($"TLS context: {what}: {OpenSsl.TakeErrors("failed")}");
}
