using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Tls;

namespace EdgeNode.Core.Tests.Tls;

/// <summary>
/// The node's OpenSSL server stream against .NET's SslStream as the client, over in-memory pipes (the transport
/// a Kestrel connection gives), so that every byte either side sends can be inspected or spoiled.
/// </summary>
public sealed class TlsServerStreamTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly X509Certificate2 Certificate = NodeCertificate.CreateSelfSigned("tls.test", DateTimeOffset.UtcNow);
    private readonly TlsServerContext _context = TlsServerContext.Create(Certificate, applicationProtocols: ["xmpp-client", "mqtt"]);
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();

    public void Dispose() => _context.Dispose();

    private TlsServerStream Server() => new(_context, new Transport(_toServer.Reader, _toClient.Writer));

    private SslStream Client() => new(new DuplexPipeStream(_toClient.Reader, _toServer.Writer), leaveInnerStreamOpen: false,
        (_, _, _, _) => true);

    private static SslClientAuthenticationOptions ClientOptions(params string[] alpn) => new()
    {
        TargetHost = "tls.test",
        ApplicationProtocols = alpn.Length == 0 ? null : alpn.Select(a => new SslApplicationProtocol(a)).ToList(),
    };

    private async Task<(TlsServerStream Server, SslStream Client)> ConnectAsync(params string[] alpn)
    {
        TlsServerStream server = Server();
        SslStream client = Client();
        using var timeout = new CancellationTokenSource(Wait);
        await Task.WhenAll(server.AuthenticateAsServerAsync(timeout.Token), client.AuthenticateAsClientAsync(ClientOptions(alpn), timeout.Token));
        return (server, client);
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var data = new byte[count];
        using var timeout = new CancellationTokenSource(Wait);
        await stream.ReadExactlyAsync(data, timeout.Token);
        return data;
    }

    [Fact]
    public async Task Handshake_SslStreamClient_AgreesTls12OrLaterAndCarriesBothWays()
    {
        var (server, client) = await ConnectAsync();
        Assert.Contains(server.ProtocolVersion, new[] { "TLSv1.2", "TLSv1.3" });
        Assert.True(client.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        Assert.Equal(Certificate.Thumbprint, new X509Certificate2(client.RemoteCertificate!).Thumbprint);

        await client.WriteAsync("<stream:stream to='tls.test'>"u8.ToArray());
        Assert.Equal("<stream:stream to='tls.test'>", Encoding.UTF8.GetString(await ReadExactlyAsync(server, 29)));
        await server.WriteAsync("<stream:features/>"u8.ToArray());
        Assert.Equal("<stream:features/>", Encoding.UTF8.GetString(await ReadExactlyAsync(client, 18)));
        await server.DisposeAsync();
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Transfer_LargerThanRecordsBothWaysAtOnce_ArrivesIntact()
    {
        var (server, client) = await ConnectAsync();
        byte[] up = RandomNumberGenerator.GetBytes(300_000), down = RandomNumberGenerator.GetBytes(250_000);
        // A reader and a writer on the server at the same time, as a session's read loop and its outbound pump run.
        Task<byte[]> serverReads = ReadExactlyAsync(server, up.Length);
        Task<byte[]> clientReads = ReadExactlyAsync(client, down.Length);
        Task serverWrites = Task.Run(async () =>
        {
            for (int i = 0; i < down.Length; i += 7_000) await server.WriteAsync(down.AsMemory(i, Math.Min(7_000, down.Length - i)));
        });
        await client.WriteAsync(up);
        await serverWrites;
        Assert.Equal(up, await serverReads);
        Assert.Equal(down, await clientReads);
    }

    [Fact]
    public async Task ZeroByteRead_CompletesOnlyWhenDataArrives_AndConsumesNothing()
    {
        var (server, client) = await ConnectAsync();
        ValueTask<int> waiting = server.ReadAsync(Memory<byte>.Empty);
        // A round trip the other way while the read waits: the connection is live and has carried records meanwhile.
        await server.WriteAsync("pong"u8.ToArray());
        Assert.Equal("pong", Encoding.UTF8.GetString(await ReadExactlyAsync(client, 4)));
        Assert.False(waiting.IsCompleted);
        await client.WriteAsync("ping"u8.ToArray());
        Assert.Equal(0, await waiting.AsTask().WaitAsync(Wait));
        Assert.Equal("ping", Encoding.UTF8.GetString(await ReadExactlyAsync(server, 4)));
    }

    [Fact]
    public async Task Read_ClientSendsCloseNotify_ReturnsEndOfStream()
    {
        var (server, client) = await ConnectAsync();
        await client.ShutdownAsync();
        var buffer = new byte[16];
        Assert.Equal(0, await server.ReadAsync(buffer).AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Read_TransportEndsWithoutCloseNotify_ReturnsEndOfStream()
    {
        var (server, _) = await ConnectAsync();
        await _toServer.Writer.CompleteAsync();
        Assert.Equal(0, await server.ReadAsync(new byte[16]).AsTask().WaitAsync(Wait));
    }

    [Theory]
    [InlineData(new[] { "h2", "mqtt" }, "mqtt")]
    [InlineData(new[] { "mqtt", "xmpp-client" }, "xmpp-client")] // ours is the order of preference
    [InlineData(new[] { "h2" }, null)] // nothing in common: served without ALPN rather than refused
    [InlineData(new string[0], null)]
    public async Task Alpn_ClientOffers_ServerChoosesByItsOwnPreference(string[] offered, string? expected)
    {
        var (server, client) = await ConnectAsync(offered);
        Assert.Equal(expected, server.ApplicationProtocol);
        Assert.Equal(expected ?? "", client.NegotiatedApplicationProtocol.ToString());
    }

    [Fact]
    public async Task Handshake_NotTlsAtAll_FailsWithAuthenticationException()
    {
        TlsServerStream server = Server();
        await _toServer.Writer.WriteAsync("<?xml version='1.0'?><stream:stream to='tls.test'>"u8.ToArray());
        using var timeout = new CancellationTokenSource(Wait);
        var failure = await Assert.ThrowsAsync<AuthenticationException>(() => server.AuthenticateAsServerAsync(timeout.Token));
        // OpenSSL's reason is carried to the log line ("wrong version number" or similar).
        Assert.StartsWith("TLS handshake failed: error:", failure.Message);
    }

    [Fact]
    public async Task Handshake_ClientHangsUpHalfway_FailsWithIOException()
    {
        TlsServerStream server = Server();
        await _toServer.Writer.WriteAsync(new byte[] { 22, 3, 1, 0, 200, 1, 0, 0 }); // a ClientHello header, then nothing
        await _toServer.Writer.CompleteAsync();
        using var timeout = new CancellationTokenSource(Wait);
        await Assert.ThrowsAsync<IOException>(() => server.AuthenticateAsServerAsync(timeout.Token));
    }

    [Fact]
    public async Task Read_RecordTamperedWith_FailsThatConnectionOnly()
    {
        var (server, client) = await ConnectAsync();
        // A second, healthy connection on the same context.
        var other = new TlsServerStreamTests();
        var (otherServer, otherClient) = await other.ConnectAsync();

        // A forged application-data record: right header, wrong authentication tag.
        byte[] record = new byte[5 + 64];
        record[0] = 23; record[1] = 3; record[2] = 3; record[4] = 64;
        RandomNumberGenerator.Fill(record.AsSpan(5));
        await _toServer.Writer.WriteAsync(record);
        var failure = await Assert.ThrowsAsync<IOException>(async () => await server.ReadAsync(new byte[64]).AsTask().WaitAsync(Wait));
        Assert.StartsWith("TLS:", failure.Message);

        await otherClient.WriteAsync("still here"u8.ToArray());
        Assert.Equal("still here", Encoding.UTF8.GetString(await ReadExactlyAsync(otherServer, 10)));
        other.Dispose();
    }

    [Fact]
    public async Task Read_OversizedRecordLength_IsRefusedBeforeBuffering()
    {
        var (server, _) = await ConnectAsync();
        // A record header announcing 65,535 bytes, beyond TLS's 16 KiB plus expansion.
        await _toServer.Writer.WriteAsync(new byte[] { 23, 3, 3, 0xff, 0xff, 0, 0, 0 });
        await Assert.ThrowsAsync<IOException>(async () => await server.ReadAsync(new byte[64]).AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task Disposed_FurtherReadsAndWrites_ThrowObjectDisposed()
    {
        var (server, _) = await ConnectAsync();
        await server.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await server.WriteAsync("x"u8.ToArray()));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => _ = await server.ReadAsync(new byte[4]));
    }

    [Fact]
    public async Task Handshake_ChainGiven_ClientReceivesTheIntermediate()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Test Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 root = rootRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=tls.test", leafKey, HashAlgorithmName.SHA256);
        using X509Certificate2 issued = leafRequest.Create(root, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), [1, 2, 3, 4]);
        using X509Certificate2 leaf = issued.CopyWithPrivateKey(leafKey);
        using var context = TlsServerContext.Create(leaf, [root]);

        var server = new TlsServerStream(context, new Transport(_toServer.Reader, _toClient.Writer));
        var received = new List<string>();
        var client = new SslStream(new DuplexPipeStream(_toClient.Reader, _toServer.Writer), false, (_, _, chain, _) =>
        {
            received.AddRange(chain!.ChainPolicy.ExtraStore.Select(c => c.Subject));
            return true;
        });
        using var timeout = new CancellationTokenSource(Wait);
        await Task.WhenAll(server.AuthenticateAsServerAsync(timeout.Token), client.AuthenticateAsClientAsync(ClientOptions(), timeout.Token));
        Assert.Contains("CN=Test Root", received);
    }

    [Fact]
    public void Create_CertificateWithoutKey_IsRefused()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(Certificate.RawData);
        Assert.Throws<ArgumentException>(() => TlsServerContext.Create(publicOnly));
    }

    private sealed class Transport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
