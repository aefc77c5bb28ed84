using System.Runtime.InteropServices;
using System.Text;

namespace EdgeNode.Core.Tls;

/// <summary>
/// The OpenSSL 3 functions the node's own TLS server streams use, bound at build time. The .NET runtime talks to
/// the same libraries for SslStream; this binding exists because SslStream offers no way to set
/// SSL_MODE_RELEASE_BUFFERS, and without it every idle connection keeps two 17 KiB record buffers.
/// </summary>
internal static unsafe partial class OpenSsl
{
    // The sonames of OpenSSL 3 on Debian 12 and later and on Raspberry Pi OS (packages libssl3 / libssl3t64).
    internal const string Ssl = "libssl.so.3";
    internal const string Crypto = "libcrypto.so.3";

    internal const int Tls12Version = 0x0303;
    internal const int CtrlMode = 33;
    internal const int CtrlSetSessionCacheMode = 44;
    internal const int CtrlChainCert = 89;
    internal const int CtrlSetMinProtoVersion = 123;

    internal const long ModeAcceptMovingWriteBuffer = 0x2;
    internal const long ModeReleaseBuffers = 0x10;

    internal const ulong OpNoCompression = 1UL << 17;
    internal const ulong OpNoRenegotiation = 1UL << 30;

    internal const int ErrorNone = 0;
    internal const int ErrorSsl = 1;
    internal const int ErrorWantRead = 2;
    internal const int ErrorWantWrite = 3;
    internal const int ErrorSyscall = 5;
    internal const int ErrorZeroReturn = 6;

    internal const int BioTypeSourceSink = 0x0400;
    internal const int BioCtrlFlush = 11;
    internal const int BioFlagsRead = 0x01;
    internal const int BioFlagsWrite = 0x02;
    internal const int BioFlagsShouldRetry = 0x08;
    internal const int BioFlagsRetryMask = 0x0f;

    internal const int TlsExtErrOk = 0;
    internal const int TlsExtErrNoAck = 3;
    internal const int NpnNegotiated = 1;

    // ---- contexts ----

    [LibraryImport(Ssl, EntryPoint = "TLS_server_method")]
    internal static partial nint TlsServerMethod();

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_new")]
    internal static partial nint SslCtxNew(nint method);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_free")]
    internal static partial void SslCtxFree(nint context);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_ctrl")]
    internal static partial nint SslCtxCtrl(nint context, int command, nint larg, nint parg);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_options")]
    internal static partial ulong SslCtxSetOptions(nint context, ulong options);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_cipher_list", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SslCtxSetCipherList(nint context, string ciphers);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_use_certificate")]
    internal static partial int SslCtxUseCertificate(nint context, nint certificate);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_use_PrivateKey")]
    internal static partial int SslCtxUsePrivateKey(nint context, nint key);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_check_private_key")]
    internal static partial int SslCtxCheckPrivateKey(nint context);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_set_alpn_select_cb")]
    internal static partial void SslCtxSetAlpnSelectCallback(nint context,
        delegate* unmanaged<nint, byte**, byte*, byte*, uint, nint, int> callback, nint argument);

    [LibraryImport(Ssl, EntryPoint = "SSL_select_next_proto")]
    internal static partial int SslSelectNextProto(byte** output, byte* outputLength, byte* server, uint serverLength,
        byte* client, uint clientLength);

    // ---- connections ----

    [LibraryImport(Ssl, EntryPoint = "SSL_new")]
    internal static partial nint SslNew(nint context);

    [LibraryImport(Ssl, EntryPoint = "SSL_free")]
    internal static partial void SslFree(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_set_bio")]
    internal static partial void SslSetBio(nint ssl, nint readBio, nint writeBio);

    [LibraryImport(Ssl, EntryPoint = "SSL_set_accept_state")]
    internal static partial void SslSetAcceptState(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_do_handshake")]
    internal static partial int SslDoHandshake(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_read_ex")]
    internal static partial int SslReadEx(nint ssl, byte* buffer, nuint length, nuint* read);

    [LibraryImport(Ssl, EntryPoint = "SSL_write_ex")]
    internal static partial int SslWriteEx(nint ssl, byte* buffer, nuint length, nuint* written);

    [LibraryImport(Ssl, EntryPoint = "SSL_get_error")]
    internal static partial int SslGetError(nint ssl, int result);

    [LibraryImport(Ssl, EntryPoint = "SSL_has_pending")]
    internal static partial int SslHasPending(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_shutdown")]
    internal static partial int SslShutdown(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_get_version")]
    internal static partial byte* SslGetVersion(nint ssl);

    [LibraryImport(Ssl, EntryPoint = "SSL_get0_alpn_selected")]
    internal static partial void SslGet0AlpnSelected(nint ssl, byte** data, uint* length);

    // ---- I/O glue: a BIO whose reads and writes call back into the stream that owns the connection ----

    [LibraryImport(Crypto, EntryPoint = "BIO_get_new_index")]
    internal static partial int BioGetNewIndex();

    [LibraryImport(Crypto, EntryPoint = "BIO_meth_new")]
    internal static partial nint BioMethNew(int type, byte* name);

    [LibraryImport(Crypto, EntryPoint = "BIO_meth_set_write")]
    internal static partial int BioMethSetWrite(nint method, delegate* unmanaged<nint, byte*, int, int> write);

    [LibraryImport(Crypto, EntryPoint = "BIO_meth_set_read")]
    internal static partial int BioMethSetRead(nint method, delegate* unmanaged<nint, byte*, int, int> read);

    [LibraryImport(Crypto, EntryPoint = "BIO_meth_set_ctrl")]
    internal static partial int BioMethSetCtrl(nint method, delegate* unmanaged<nint, int, nint, nint, nint> control);

    [LibraryImport(Crypto, EntryPoint = "BIO_new")]
    internal static partial nint BioNew(nint method);

    [LibraryImport(Crypto, EntryPoint = "BIO_free")]
    internal static partial int BioFree(nint bio);

    [LibraryImport(Crypto, EntryPoint = "BIO_set_data")]
    internal static partial void BioSetData(nint bio, nint data);

    [LibraryImport(Crypto, EntryPoint = "BIO_get_data")]
    internal static partial nint BioGetData(nint bio);

    [LibraryImport(Crypto, EntryPoint = "BIO_set_init")]
    internal static partial void BioSetInit(nint bio, int init);

    [LibraryImport(Crypto, EntryPoint = "BIO_set_flags")]
    internal static partial void BioSetFlags(nint bio, int flags);

    [LibraryImport(Crypto, EntryPoint = "BIO_clear_flags")]
    internal static partial void BioClearFlags(nint bio, int flags);

    // ---- keys, certificates, errors ----

    [LibraryImport(Crypto, EntryPoint = "d2i_X509")]
    internal static partial nint D2iX509(nint reuse, byte** data, nint length);

    [LibraryImport(Crypto, EntryPoint = "X509_free")]
    internal static partial void X509Free(nint certificate);

    [LibraryImport(Crypto, EntryPoint = "d2i_AutoPrivateKey")]
    internal static partial nint D2iAutoPrivateKey(nint reuse, byte** data, nint length);

    [LibraryImport(Crypto, EntryPoint = "EVP_PKEY_free")]
    internal static partial void EvpPkeyFree(nint key);

    [LibraryImport(Crypto, EntryPoint = "ERR_get_error")]
    internal static partial nuint ErrGetError();

    [LibraryImport(Crypto, EntryPoint = "ERR_clear_error")]
    internal static partial void ErrClearError();

    [LibraryImport(Crypto, EntryPoint = "ERR_error_string_n")]
    internal static partial void ErrErrorStringN(nuint error, byte* buffer, nuint length);

    /// <summary>The calling thread's OpenSSL errors as one line (the queue is emptied), or the fallback.</summary>
    internal static string TakeErrors(string fallback)
    {
        StringBuilder? text = null;
        Span<byte> buffer = stackalloc byte[256];
        for (int i = 0; i < 8; i++)
        {
            nuint code = ErrGetError();
            if (code == 0) break;
            fixed (byte* p = buffer) ErrErrorStringN(code, p, (nuint)buffer.Length);
            int length = buffer.IndexOf((byte)0);
            text ??= new StringBuilder();
            if (text.Length > 0) text.Append("; ");
            text.Append(Encoding.UTF8.GetString(buffer[..(length < 0 ? buffer.Length : length)]));
        }
        ErrClearError();
        return text?.ToString() ?? fallback;
    }
}
