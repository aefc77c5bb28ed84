using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Xmpp.S2s;
using EdgeNode.Xmpp.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Xmpp.Tests.S2s;

/// <summary>
/// XEP-0368 inbound: the handshake options Kestrel uses on Xmpp:S2sDirectTlsPort, and an inbound stream over a
/// connection whose TLS was already terminated (as Kestrel hands it over, with ITlsConnectionFeature).
/// </summary>
public sealed class S2sDirectTlsTests : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string EmailProtection = "1.3.6.1.5.5.7.3.4";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly string _dir = Directory.CreateTempSubdirectory("edgenode-s2s-directtls-").FullName;
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }

        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void ServerOptions_AsksForAClientCertificate_AcceptsAnyAndSpeaksXmppServer()
    {
        using X509Certificate2 server = SelfSigned("pi.example", [ServerAuth]);
        var connection = new DefaultConnectionContext("c1");
        var options = S2sDirectTls.ServerOptions(SslStreamCertificateContext.Create(server, null), connection);

        Assert.True(options.ClientCertificateRequired);
        Assert.Equal([new SslApplicationProtocol("xmpp-server")], options.ApplicationProtocols);
        Assert.Equal(X509RevocationMode.NoCheck, options.CertificateRevocationCheckMode);
        Assert.NotNull(connection.Features.Get<PeerChainFeature>());
        Assert.True(options.RemoteCertificateValidationCallback!(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
        Assert.True(options.RemoteCertificateValidationCallback!(this, server, null,
            SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public async Task ServerOptions_HandshakeWithAnUntrustedWrongPurposeCertificate_SucceedsAndKeepsIt()
    {
        using X509Certificate2 server = SelfSigned("pi.example", [ServerAuth]);
        using X509Certificate2 client = SelfSigned("peer.example", [EmailProtection]);
        var connection = new DefaultConnectionContext("c1");
        var (serverTls, clientTls) = await HandshakeAsync(S2sDirectTls.ServerOptions(SslStreamCertificateContext.Create(server, null), connection),
            SslStreamCertificateContext.Create(client, null));
        using (serverTls)
        using (clientTls)
        {
            Assert.Equal(client.Thumbprint, Assert.IsType<X509Certificate2>(serverTls.RemoteCertificate).Thumbprint);
            Assert.Equal("xmpp-server", serverTls.NegotiatedApplicationProtocol.ToString());
        }
    }

    [Fact]
    public async Task ServerOptions_PeerSendsItsIntermediate_KeptForTheCertificateCheck()
    {
        using X509Certificate2 root = Ca("CN=Test Root", issuer: null);
        using X509Certificate2 intermediate = Ca("CN=Test Intermediate", issuer: root);
        using X509Certificate2 leaf = Issue(intermediate, "peer.example", [ServerAuth]);
        using X509Certificate2 server = SelfSigned("pi.example", [ServerAuth]);
        var connection = new DefaultConnectionContext("c1");
        var (serverTls, clientTls) = await HandshakeAsync(S2sDirectTls.ServerOptions(SslStreamCertificateContext.Create(server, null), connection),
            SslStreamCertificateContext.Create(leaf, [intermediate], offline: true));
        using (serverTls)
        using (clientTls)
        {
            var intermediates = connection.Features.Get<PeerChainFeature>()!.Intermediates;
            Assert.NotNull(intermediates);
            Assert.Contains(intermediates, c => c.Thumbprint == intermediate.Thumbprint);
            var check = new PeerCertificates([root]).Check((X509Certificate2)serverTls.RemoteCertificate!, intermediates, "peer.example");
            Assert.True(check.Valid, check.Problem);
        }
    }

    [Fact]
    public async Task Inbound_DirectTlsWithAValidCertificate_NoStartTls_ExternalSucceeds_StatusSaysDirectTls()
    {
        using X509Certificate2 root = Ca("CN=Test Root", issuer: null);
        using X509Certificate2 peer = Issue(root, "peer.example", [ServerAuth]);
        using var service = Service(new PeerCertificates([root]));
        var link = new Link(new TlsFeature(peer));
        Task run = service.AcceptAsync(link.Connection, directTls: true);

        await link.WriteAsync(Header("peer.example"));
        string features = await link.ReadUntilAsync("</stream:features>");
        Assert.DoesNotContain("starttls", features, StringComparison.Ordinal);
        Assert.Contains("<mechanism>EXTERNAL</mechanism>", features, StringComparison.Ordinal);
        Assert.Contains("urn:xmpp:features:dialback", features, StringComparison.Ordinal);

        await link.WriteAsync("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
        await link.ReadUntilAsync("<success");
        var status = Assert.Single(service.Status());
        Assert.Equal(("inbound", "peer.example", "SASL EXTERNAL", true, true), (status.Direction, status.Domain, status.Method, status.Tls, status.DirectTls));
        Assert.Contains(" direct TLS ", S2sService.Format([status]), StringComparison.Ordinal);

        await link.CloseAsync(run);
    }

    [Fact]
    public async Task Inbound_DirectTlsWithoutACertificate_DialbackOnly()
    {
        using var service = Service(new PeerCertificates());
        var link = new Link(new TlsFeature(null));
        Task run = service.AcceptAsync(link.Connection, directTls: true);

        await link.WriteAsync(Header("peer.example"));
        string features = await link.ReadUntilAsync("</stream:features>");
        Assert.DoesNotContain("starttls", features, StringComparison.Ordinal);
        Assert.DoesNotContain("EXTERNAL", features, StringComparison.Ordinal);
        Assert.Contains("urn:xmpp:features:dialback", features, StringComparison.Ordinal);

        await link.CloseAsync(run);
    }

    [Fact]
    public async Task Inbound_DirectTlsListenerWithoutTls_NeverServedInTheClear()
    {
        using var service = Service(new PeerCertificates());
        var link = new Link(tls: null);
        Task run = service.AcceptAsync(link.Connection, directTls: true);

        await link.WriteAsync(Header("peer.example"));
        string end = await link.ReadUntilAsync("</stream:stream>");
        Assert.Contains("<internal-server-error", end, StringComparison.Ordinal);
        Assert.DoesNotContain("features", end, StringComparison.Ordinal);
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(service.Status());
    }

    [Fact]
    public async Task Inbound_StartTlsPort_StillOffersStartTls()
    {
        using var service = Service(new PeerCertificates());
        var link = new Link(tls: null);
        Task run = service.AcceptAsync(link.Connection);

        await link.WriteAsync(Header("peer.example"));
        string features = await link.ReadUntilAsync("</stream:features>");
        Assert.Contains("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>", features, StringComparison.Ordinal);
        Assert.False(Assert.Single(service.Status()).DirectTls);

        await link.CloseAsync(run);
    }

    [Fact]
    public void Format_DirectTlsStartTlsAndPlain_SaidApart()
    {
        var opened = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        string text = S2sService.Format(
        [
            new S2sStreamStatus("outbound", "o1", "a.example", "dialback", true, "valid", opened, DirectTls: true),
            new S2sStreamStatus("outbound", "o2", "b.example", "dialback", true, "valid", opened),
            new S2sStreamStatus("inbound", "i1", "c.example", "not authenticated", false, "", opened),
        ]);
        Assert.Contains("a.example                      dialback           direct TLS since 2026-01-02 03:04:05Z", text, StringComparison.Ordinal);
        Assert.Contains("b.example                      dialback           TLS        since", text, StringComparison.Ordinal);
        Assert.Contains("c.example                      not authenticated  plain      since", text, StringComparison.Ordinal);
    }

    private S2sService Service(PeerCertificates certificates)
    {
        var store = Store.Open(_dir, XmppMigrations.Set);
        _owned.Add(store);
        var xmpp = new XmppServer("pi.example", new XmppOptions { C2sPort = 0, C2sDirectTlsPort = 0, S2sPort = 0 }, store, new Router("pi.example"),
            null, NullLoggerFactory.Instance);
        return new S2sService(xmpp, new FederationOptions { Mode = FederationMode.Open, Allow = [] }, certificate: null, NullLoggerFactory.Instance,
            certificates: certificates);
    }

    private static string Header(string from) =>
        "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' " +
        $"xmlns:db='jabber:server:dialback' from='{from}' to='pi.example' version='1.0'>";

    private static async Task<(SslStream Server, SslStream Client)> HandshakeAsync(SslServerAuthenticationOptions server, SslStreamCertificateContext client)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var connecting = new TcpClient();
        Task connect = connecting.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        TcpClient accepted = await listener.AcceptTcpClientAsync();
        await connect;
        var serverTls = new SslStream(accepted.GetStream(), leaveInnerStreamOpen: false);
        var clientTls = new SslStream(connecting.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(
            serverTls.AuthenticateAsServerAsync(server, timeout.Token),
            clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "pi.example",
                ClientCertificateContext = client,
                ApplicationProtocols = [new SslApplicationProtocol("xmpp-server")],
            }, timeout.Token));
        return (serverTls, clientTls);
    }

    private static X509Certificate2 SelfSigned(string name, string[] usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request("CN=" + name, key, name, usages);
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(10));
    }

    private static X509Certificate2 Ca(string subject, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(Now.AddDays(-2), Now.AddDays(30));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using X509Certificate2 issued = request.Create(issuer, Now.AddDays(-2), Now.AddDays(20), [9, 8, 7]);
        return issued.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, string name, string[] usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request("CN=" + name, key, name, usages);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using X509Certificate2 issued = request.Create(issuer, Now.AddDays(-1), Now.AddDays(10), [1, 2, 3, 4]);
        return issued.CopyWithPrivateKey(key);
    }

    private static CertificateRequest Request(string subject, ECDsa key, string name, string[] usages)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        var oids = new OidCollection();
        foreach (string usage in usages)
        {
            oids.Add(new Oid(usage));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        return request;
    }

    /// <summary>What Kestrel's HTTPS middleware leaves on a connection after the handshake.</summary>
    private sealed class TlsFeature(X509Certificate2? certificate) : ITlsConnectionFeature
    {
        public X509Certificate2? ClientCertificate { get; set; } = certificate;

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);
    }

    /// <summary>A connection as Kestrel hands it to the s2s handler, and the peer's end of it.</summary>
    private sealed class Link
    {
        private readonly Pipe _toServer = new();
        private readonly Pipe _toPeer = new();
        private readonly StringBuilder _received = new();

        public Link(ITlsConnectionFeature? tls)
        {
            Connection = new DefaultConnectionContext("test-connection") { Transport = new Duplex(_toServer.Reader, _toPeer.Writer) };
            if (tls is not null)
            {
                Connection.Features.Set(tls);
            }
        }

        public DefaultConnectionContext Connection { get; }

        public async Task WriteAsync(string text) => await _toServer.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));

        public async Task<string> ReadUntilAsync(string marker)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!_received.ToString().Contains(marker, StringComparison.Ordinal))
            {
                ReadResult result = await _toPeer.Reader.ReadAsync(timeout.Token);
                foreach (ReadOnlyMemory<byte> segment in result.Buffer)
                {
                    _received.Append(Encoding.UTF8.GetString(segment.Span));
                }

                _toPeer.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            string text = _received.ToString();
            Assert.Contains(marker, text, StringComparison.Ordinal);
            _received.Clear();
            return text;
        }

        public async Task CloseAsync(Task run)
        {
            await _toServer.Writer.CompleteAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
        {
            public PipeReader Input { get; } = input;
            public PipeWriter Output { get; } = output;
        }
    }
}
