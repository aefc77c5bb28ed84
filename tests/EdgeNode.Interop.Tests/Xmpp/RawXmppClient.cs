using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Interop.Tests.Xmpp;

/// <summary>
/// A deliberately simple XMPP client over a raw socket, for what no well-behaved client library does: hostile input,
/// stanzas never finished, a reader that never reads. It logs in with STARTTLS and SASL PLAIN.
/// </summary>
internal sealed class RawXmppClient : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly StringBuilder _received = new();

    private RawXmppClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public string Received => _received.ToString();

    /// <summary>The server's certificate after STARTTLS; null before.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate? RemoteCertificate => (_stream as SslStream)?.RemoteCertificate;

    /// <param name="localAddress">A loopback address of the machine to connect from (127.0.0.2, ...), to look like another client address.</param>
    public static async Task<RawXmppClient> ConnectAsync(string host, int port, int? receiveBuffer = null, string? localAddress = null)
    {
        var tcp = localAddress is null ? new TcpClient() : new TcpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(localAddress), 0));
        if (receiveBuffer is { } size) tcp.ReceiveBufferSize = size;
        await tcp.ConnectAsync(host, port);
        return new RawXmppClient(tcp);
    }

    public static string Header(string domain = "localhost") =>
        $"<?xml version='1.0'?><stream:stream to='{domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>Reads until the text received since the last call contains <paramref name="marker"/>; returns that text.</summary>
    public async Task<string> ReadUntilAsync(string marker, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Wait);
        var buffer = new byte[8192];
        while (!_received.ToString().Contains(marker, StringComparison.Ordinal))
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no '{marker}' within the time; received: {Tail()}");
            }

            if (n == 0) throw new EndOfStreamException($"closed before '{marker}'; received: {Tail()}");
            _received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        string text = _received.ToString();
        int end = text.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        _received.Remove(0, end);
        return text[..end];
    }

    /// <summary>Reads until the server closes the connection; returns everything received.</summary>
    public async Task<string> ReadToCloseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Wait);
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await _stream.ReadAsync(buffer, cts.Token)) > 0) _received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the connection stayed open; received: {Tail()}");
        }

        return _received.ToString();
    }

    public async Task StartTlsAsync(string domain = "localhost")
    {
        await SendAsync(Header(domain));
        await ReadUntilAsync("</stream:features>");
        await SendAsync("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        await ReadUntilAsync("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        var tls = new SslStream(_stream, false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        _stream = tls;
    }

    /// <summary>
    /// STARTTLS and one SASL PLAIN attempt on a fresh connection; returns what the server answered: the success, or
    /// the failure and, when the server closes the stream after it, everything up to the close.
    /// </summary>
    public static async Task<string> PlainAttemptAsync(string host, int port, string user, string password, string? localAddress = null)
    {
        await using var client = await ConnectAsync(host, port, localAddress: localAddress);
        await client.StartTlsAsync();
        await client.SendAsync(Header());
        await client.ReadUntilAsync("</stream:features>");
        string plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
        await client.SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{plain}</auth>");
        using var cts = new CancellationTokenSource(Wait);
        var buffer = new byte[8192];
        while (!client.Received.Contains("</failure>", StringComparison.Ordinal) && !client.Received.Contains("<success", StringComparison.Ordinal))
        {
            int n = await client._stream.ReadAsync(buffer, cts.Token);
            if (n == 0) break;
            client._received.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        return client.Received.Contains("<temporary-auth-failure/>", StringComparison.Ordinal) ? await client.ReadToCloseAsync() : client.Received;
    }

    /// <summary>STARTTLS, PLAIN, bind; returns the bound full address.</summary>
    public static async Task<(RawXmppClient Client, string Jid)> LoginAsync(string host, int port, string user, string password,
        string? resource = null, int? receiveBuffer = null, string? localAddress = null)
    {
        var client = await ConnectAsync(host, port, receiveBuffer, localAddress);
        await client.StartTlsAsync();
        await client.SendAsync(Header());
        await client.ReadUntilAsync("</stream:features>");
        string plain = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
        await client.SendAsync($"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{plain}</auth>");
        string answer = await client.ReadUntilAsync("</");
        if (!answer.Contains("<success", StringComparison.Ordinal)) throw new InvalidOperationException("login failed: " + answer);
        await client.SendAsync(Header());
        await client.ReadUntilAsync("</stream:features>");
        string bind = resource is null ? "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>" : $"<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>{resource}</resource></bind>";
        await client.SendAsync($"<iq type='set' id='bind1'>{bind}</iq>");
        string bound = await client.ReadUntilAsync("</iq>");
        int start = bound.IndexOf("<jid>", StringComparison.Ordinal) + 5;
        return (client, bound[start..bound.IndexOf("</jid>", StringComparison.Ordinal)]);
    }

    /// <summary>An XEP-0199 ping to the server, answered: the connection is being served.</summary>
    public async Task PingAsync(string id)
    {
        await SendAsync($"<iq type='get' to='localhost' id='{id}'><ping xmlns='urn:xmpp:ping'/></iq>");
        string reply = await ReadUntilAsync($"id='{id}'");
        Assert.Contains("type='result'", reply[reply.LastIndexOf("<iq", StringComparison.Ordinal)..]);
    }

    private string Tail()
    {
        string text = _received.ToString();
        return text.Length > 600 ? "..." + text[^600..] : text;
    }

    public async ValueTask DisposeAsync()
    {
        try { await _stream.DisposeAsync(); } catch (IOException) { }
        _tcp.Dispose();
    }
}
