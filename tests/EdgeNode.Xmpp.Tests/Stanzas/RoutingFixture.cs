using System.Buffers;
using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Routing;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Streams;
using EdgeNode.Xmpp.Xml;

namespace EdgeNode.Xmpp.Tests.Stanzas;

/// <summary>
/// The c2s parse-and-route path without sockets: a stream reader over message bytes, the real message handler, the
/// router, and a real online session whose outbound buffer is drained into a reusable writer.
/// </summary>
internal sealed class RoutingFixture
{
    public const string Header =
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='pi.example' version='1.0'>";

    public const string Message =
        "<message to='juliet@pi.example' type='chat' id='m1' xml:lang='en'>"
        + "<body>Wherefore art thou, Romeo? &lt;3</body><thread>t1</thread>"
        + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>";

    private readonly XmlStreamContext _context = new();
    private readonly XmlStreamState _state;
    private readonly StanzaScratch _scratch = new();
    private readonly ArrayBufferWriter<byte> _sink = new(64 * 1024);

    public RoutingFixture()
    {
        Router = new Router("pi.example");
        Router.UseSessionRules(new XmppSessionRules());
        Sender = new C2sSession("romeo@pi.example", "orchard", 1024 * 1024, new Owner());
        Recipient = new C2sSession("juliet@pi.example", "balcony", 1024 * 1024, new Owner());
        Recipient.SetAvailable(0, "<presence/>"u8.ToArray());
        Sender.SetAvailable(0, "<presence/>"u8.ToArray());
        Router.Register(Sender);
        Router.Register(Recipient);

        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Header)), default, _context);
        reader.Read();
        _state = reader.State;
        byte[] message = Encoding.UTF8.GetBytes(Message);
        Single = new ReadOnlySequence<byte>(message);
        Split = Segments.Split(message, message.Length / 2);
    }

    public Router Router { get; }
    public C2sSession Sender { get; }
    public C2sSession Recipient { get; }
    public ReadOnlySequence<byte> Single { get; }
    public ReadOnlySequence<byte> Split { get; }

    /// <summary>Parses one stanza from <paramref name="data"/> and routes it; returns the router's outcome.</summary>
    public RouteOutcome ParseAndRoute(in ReadOnlySequence<byte> data, MessageRateLimit? limit = null)
    {
        var reader = new XmlStreamReader(data, _state, _context);
        reader.Read();
        return MessageHandler.Handle(reader.Element, Sender, Router, _scratch, limit);
    }

    /// <summary>Parses any one message stanza and routes it from <paramref name="sender"/>, through its <paramref name="limit"/> if any.</summary>
    public RouteOutcome Route(string message, C2sSession sender, MessageRateLimit? limit = null)
    {
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(message)), _state, _context);
        reader.Read();
        return MessageHandler.Handle(reader.Element, sender, Router, _scratch, limit);
    }

    /// <summary>A further available session, registered with the router.</summary>
    public C2sSession Connect(string bare, string resource, int priority = 0, bool carbons = false)
    {
        var session = new C2sSession(bare, resource, 1024 * 1024, new Owner()) { Carbons = carbons };
        session.SetAvailable(priority, "<presence/>"u8.ToArray());
        Router.Register(session);
        return session;
    }

    /// <summary>Everything queued for <paramref name="session"/> so far, as text; empties its buffer.</summary>
    public static string Drain(C2sSession session)
    {
        var sink = new ArrayBufferWriter<byte>();
        session.Outbound.TryDrainTo(sink, out _);
        return Encoding.UTF8.GetString(sink.WrittenSpan);
    }

    /// <summary>What the recipient's connection would write now; empties its buffer.</summary>
    public ReadOnlySpan<byte> DrainRecipient()
    {
        _sink.ResetWrittenCount();
        Recipient.Outbound.TryDrainTo(_sink, out _);
        return _sink.WrittenSpan;
    }

    private sealed class Owner : ISessionOwner
    {
        public void RequestClose(TargetCloseReason reason) => throw new InvalidOperationException($"closed: {reason}");
    }
}

internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] data, int at)
    {
        var first = new Segment(data.AsMemory(0, at), 0);
        var second = new Segment(data.AsMemory(at), at);
        first.SetNext(second);
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
