using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using EdgeNode.Core.Accounts;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.LoadGen;

/// <summary>Where the XMPP server under test listens and which domain it serves.</summary>
internal sealed record XmppTarget(IPAddress Address, int Port, string Domain);

/// <summary>Receives what a logged-in client reads; called on the client's receive loop, so it must be quick.</summary>
internal interface IXmppSink
{
    /// <summary><paramref name="body"/> is the decoded text of a message's body, valid only during the call.</summary>
    void OnBody(XmppClient client, ReadOnlySpan<byte> body);
}

/// <summary>The server ended the stream with a stream error (RFC 6120 4.9).</summary>
internal sealed class XmppStreamErrorException(string condition, string text)
    : IOException($"stream error '{condition}'{(text.Length > 0 ? ": " + text : "")}")
{
    public string Condition { get; } = condition;
}

/// <summary>
/// A load-generating XMPP client: TCP, STARTTLS (any certificate: the servers under test use self-signed ones),
/// optional in-band registration, SASL SCRAM-SHA-256, resource binding, initial presence, then chat messages.
/// It reads with EdgeNode's own streaming reader (XmlStreamReader over a PipeReader): a client's stream is an
/// XMPP stream like the server's, and the reader accepts any content namespace, so nothing client-specific was needed.
/// </summary>
internal sealed class XmppClient : IAsyncDisposable
{
    private const string StreamsNs = "http://etherx.jabber.org/streams";
    private const string TlsNs = "urn:ietf:params:xml:ns:xmpp-tls";
    private const string SaslNs = "urn:ietf:params:xml:ns:xmpp-sasl";
    private const string BindNs = "urn:ietf:params:xml:ns:xmpp-bind";

    private readonly Socket _socket;
    private readonly XmppTarget _target;
    private readonly XmlStreamContext _context = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Stream _stream;
    private PipeReader _reader;
    private XmlStreamState _state;

    private XmppClient(Socket socket, XmppTarget target)
    {
        _socket = socket;
        _target = target;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = NewReader(_stream);
    }

    public string User { get; private set; } = "";

    public string FullJid { get; private set; } = "";

    public string BareJid => $"{User}@{_target.Domain}";

    /// <summary>A free slot for scenarios: the index of this client's partner or owner.</summary>
    public int Tag { get; set; }

    private static PipeReader NewReader(Stream stream) =>
        PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 512, leaveOpen: true));

    /// <summary>Connects and logs in; with <paramref name="register"/> first creates the account by XEP-0077 (an existing one is fine).</summary>
    public static async Task<XmppClient> ConnectAsync(XmppTarget target, string user, string password, bool register, bool presence, CancellationToken ct)
    {
        var socket = new Socket(target.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new XmppClient(socket, target) { User = user };
        try
        {
            await client.LoginAsync(password, register, presence, ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task LoginAsync(string password, bool register, bool presence, CancellationToken ct)
    {
        Node features = await OpenStreamAsync(ct);
        if (features.Child("starttls", TlsNs) is null) throw new IOException("the server offers no STARTTLS");
        await SendAsync($"<starttls xmlns='{TlsNs}'/>", ct);
        Node proceed = await ReadStanzaAsync(ct);
        if (proceed.Name != "proceed") throw new IOException($"STARTTLS refused: {proceed.Name}");

        // Nothing follows <proceed/> until the client starts TLS, so the plain reader holds no bytes worth keeping.
        await _reader.CompleteAsync();
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = _target.Domain,
            RemoteCertificateValidationCallback = static (_, _, _, _) => true,
        }, ct);
        _stream = tls;
        _reader = NewReader(tls);
        features = await OpenStreamAsync(ct);

        if (register)
        {
            await RegisterAsync(password, ct);
        }

        Node? mechanisms = features.Child("mechanisms", SaslNs);
        if (mechanisms is null || !mechanisms.Children.Any(m => m.Text == "SCRAM-SHA-256"))
        {
            throw new IOException("the server does not offer SCRAM-SHA-256");
        }

        var scram = new ScramClient(ScramHash.Sha256, User, password);
        await SendAsync($"<auth xmlns='{SaslNs}' mechanism='SCRAM-SHA-256'>{Convert.ToBase64String(scram.ClientFirst())}</auth>", ct);
        Node challenge = await ReadStanzaAsync(ct);
        ThrowIfSaslFailure(challenge);
        byte[] final = scram.ClientFinal(Convert.FromBase64String(challenge.Text));
        await SendAsync($"<response xmlns='{SaslNs}'>{Convert.ToBase64String(final)}</response>", ct);
        Node outcome = await ReadStanzaAsync(ct);
        ThrowIfSaslFailure(outcome);
        if (outcome.Name == "challenge")
        {
            // RFC 6120 allows the server-final message in a last challenge instead of in <success/>.
            scram.VerifyServerFinal(Convert.FromBase64String(outcome.Text));
            await SendAsync($"<response xmlns='{SaslNs}'/>", ct);
            outcome = await ReadStanzaAsync(ct);
            ThrowIfSaslFailure(outcome);
        }
        else if (outcome.Text.Length > 0)
        {
            scram.VerifyServerFinal(Convert.FromBase64String(outcome.Text));
        }

        if (outcome.Name != "success") throw new IOException($"SASL: unexpected <{outcome.Name}>");

        features = await OpenStreamAsync(ct);
        if (features.Child("bind", BindNs) is null) throw new IOException("the server offers no resource binding");
        await SendAsync($"<iq type='set' id='bind1'><bind xmlns='{BindNs}'><resource>lg</resource></bind></iq>", ct);
        Node bound = await ReadIqResultAsync("bind1", ct);
        FullJid = bound.Child("bind", BindNs)?.Child("jid", BindNs)?.Text ?? throw new IOException("bind: no jid in the result");
        if (presence)
        {
            await SendAsync("<presence/>", ct);
        }
    }

    private async Task RegisterAsync(string password, CancellationToken ct)
    {
        await SendAsync($"<iq type='set' id='reg1'><query xmlns='jabber:iq:register'><username>{User}</username><password>{password}</password></query></iq>", ct);
        Node answer = await ReadUntilIqAsync("reg1", ct);
        if (answer.Attr("type") == "result") return;
        Node? error = answer.Child("error", "jabber:client") ?? answer.Children.FirstOrDefault(c => c.Name == "error");
        if (error is not null && error.Children.Any(c => c.Name == "conflict")) return;
        throw new IOException($"registration of {User} refused: {answer.Raw}");
    }

    private static void ThrowIfSaslFailure(Node node)
    {
        if (node.Name == "failure")
        {
            string condition = node.Children.FirstOrDefault()?.Name ?? "unknown";
            throw new IOException($"SASL failure: {condition}");
        }
    }

    private async Task<Node> OpenStreamAsync(CancellationToken ct)
    {
        _state = default;
        await SendAsync($"<?xml version='1.0'?><stream:stream to='{_target.Domain}' xmlns='jabber:client' xmlns:stream='{StreamsNs}' version='1.0'>", ct);
        Node features = await ReadStanzaAsync(ct);
        if (features.Name != "features") throw new IOException($"expected stream features, got <{features.Name}>");
        return features;
    }

    private async Task<Node> ReadIqResultAsync(string id, CancellationToken ct)
    {
        Node iq = await ReadUntilIqAsync(id, ct);
        if (iq.Attr("type") != "result") throw new IOException($"iq {id} failed: {iq.Raw}");
        return iq;
    }

    private async Task<Node> ReadUntilIqAsync(string id, CancellationToken ct)
    {
        while (true)
        {
            Node node = await ReadStanzaAsync(ct);
            if (node.Name == "iq" && node.Attr("id") == id) return node;
        }
    }

    /// <summary>Reads the next stanza (skipping the stream header) during negotiation, as an object: these are few.</summary>
    private async Task<Node> ReadStanzaAsync(CancellationToken ct)
    {
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(ct);
            bool got = TryReadOne(result.Buffer, out Node? node, out XmlStreamEvent ev, out SequencePosition consumed, out SequencePosition examined);
            _reader.AdvanceTo(consumed, examined);
            if (got)
            {
                if (ev == XmlStreamEvent.StreamEnd) throw new IOException("the server closed the stream");
                if (ev == XmlStreamEvent.Stanza)
                {
                    if (node!.Name == "error" && node.Ns == StreamsNs) throw StreamError(node);
                    return node;
                }

                continue;
            }

            if (result.IsCompleted) throw new IOException("the server closed the connection");
        }
    }

    private static Exception StreamError(Node error)
    {
        string condition = error.Children.FirstOrDefault(c => c.Name != "text")?.Name ?? "undefined-condition";
        string text = error.Children.FirstOrDefault(c => c.Name == "text")?.Text ?? "";
        var streamError = new XmppStreamErrorException(condition, text);
        return condition == "service-unavailable"
            ? new NotSupportedByServerException($"the XMPP service answered with the stream error service-unavailable{(text.Length > 0 ? ": " + text : "")}")
            : streamError;
    }

    private bool TryReadOne(in ReadOnlySequence<byte> buffer, out Node? node, out XmlStreamEvent ev, out SequencePosition consumed, out SequencePosition examined)
    {
        var reader = new XmlStreamReader(buffer, _state, _context);
        bool got = reader.Read();
        _state = reader.State;
        consumed = reader.Consumed;
        examined = reader.Examined;
        ev = reader.Event;
        node = got && ev == XmlStreamEvent.Stanza ? Node.From(reader.Element) : null;
        return got;
    }

    /// <summary>
    /// The receive loop after login: message bodies go to <paramref name="sink"/> without allocating; iq gets
    /// (the server's pings) are answered; a stream error or the end of the stream ends the loop with an exception.
    /// </summary>
    public async Task RunAsync(IXmppSink sink, CancellationToken ct)
    {
        var replies = new List<string>();
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            bool ended = ProcessReceived(result.Buffer, sink, replies, out SequencePosition consumed, out SequencePosition examined);
            _reader.AdvanceTo(consumed, examined);
            foreach (string reply in replies)
            {
                await SendAsync(reply, ct);
            }

            replies.Clear();
            if (ended) throw new IOException("the server ended the stream");
            if (result.IsCompleted) throw new IOException("the server closed the connection");
        }
    }

    private bool ProcessReceived(in ReadOnlySequence<byte> buffer, IXmppSink sink, List<string> replies, out SequencePosition consumed, out SequencePosition examined)
    {
        Span<byte> text = stackalloc byte[512];
        var reader = new XmlStreamReader(buffer, _state, _context);
        bool ended = false;
        while (reader.Read())
        {
            if (reader.Event == XmlStreamEvent.StreamEnd)
            {
                ended = true;
                break;
            }

            if (reader.Event != XmlStreamEvent.Stanza) continue;
            XmlElement element = reader.Element;
            ReadOnlySpan<byte> name = element.LocalName;
            if (name.SequenceEqual("message"u8))
            {
                foreach (XmlElement child in element.Children)
                {
                    if (child.LocalName.SequenceEqual("body"u8) && child.Text.TryCopyTo(text, out int written))
                    {
                        sink.OnBody(this, text[..written]);
                        break;
                    }
                }
            }
            else if (name.SequenceEqual("iq"u8))
            {
                if (element.TryGetAttribute("type"u8, out XmlValue type) && type.ValueEquals("get"u8))
                {
                    string id = element.TryGetAttribute("id"u8, out XmlValue idValue) ? idValue.GetString() : "";
                    string from = element.TryGetAttribute("from"u8, out XmlValue fromValue) ? fromValue.GetString() : _target.Domain;
                    replies.Add($"<iq type='result' id='{Escape(id)}' to='{Escape(from)}'/>");
                }
            }
            else if (name.SequenceEqual("error"u8) && element.NamespaceUri.SequenceEqual("http://etherx.jabber.org/streams"u8))
            {
                _state = reader.State;
                throw StreamError(Node.From(element));
            }
        }

        _state = reader.State;
        consumed = reader.Consumed;
        examined = reader.Examined;
        return ended;
    }

    private static string Escape(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("'", "&apos;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);

    public ValueTask SendAsync(string xml, CancellationToken ct) => SendAsync(Encoding.UTF8.GetBytes(xml), ct);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            await _stream.WriteAsync(bytes, ct);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Ends the stream politely, then closes without waiting for the server's own close.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await SendAsync("</stream:stream>", cts.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // The connection is already gone or the write would block: closing is all that is left to do.
        }

        try { await _reader.CompleteAsync(); } catch (InvalidOperationException) { }
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        await _stream.DisposeAsync();
        _socket.Dispose();
        _context.Dispose();
        _writeLock.Dispose();
    }
}

/// <summary>A stanza copied out of the reader's buffer, for the few stanzas of negotiation.</summary>
internal sealed class Node
{
    public required string Name { get; init; }
    public required string Ns { get; init; }
    public string Text { get; private set; } = "";
    public string Raw { get; private set; } = "";
    public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);
    public List<Node> Children { get; } = [];

    public string? Attr(string name) => Attributes.GetValueOrDefault(name);

    public Node? Child(string name, string ns) => Children.FirstOrDefault(c => c.Name == name && c.Ns == ns);

    public static Node From(XmlElement element)
    {
        var node = new Node
        {
            Name = Encoding.UTF8.GetString(element.LocalName),
            Ns = Encoding.UTF8.GetString(element.NamespaceUri),
        };
        node.Raw = Encoding.UTF8.GetString(element.RawBytes);
        node.Text = element.Text.GetString().Trim();
        foreach (XmlAttribute attribute in element.Attributes)
        {
            node.Attributes[Encoding.UTF8.GetString(attribute.QualifiedName)] = attribute.Value.GetString();
        }

        foreach (XmlElement child in element.Children)
        {
            node.Children.Add(From(child));
        }

        return node;
    }
}
