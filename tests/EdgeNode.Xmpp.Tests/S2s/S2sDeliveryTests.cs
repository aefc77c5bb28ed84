using System.Buffers;
using System.Text;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Xmpp.S2s;
using EdgeNode.Xmpp.Stanzas;
using EdgeNode.Xmpp.Storage;
using EdgeNode.Xmpp.Tests.Stanzas;
using EdgeNode.Xmpp.Xml;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Xmpp.Tests.S2s;

/// <summary>What federation hands the router: stanzas of remote origin, with the neutral fields read as for clients.</summary>
public sealed class S2sDeliveryTests : IDisposable
{
    private const string Header = "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' "
        + "from='far.example' to='pi.example' version='1.0'>";

    private readonly string _dir = Directory.CreateTempSubdirectory("edgenode-s2sdelivery-").FullName;
    private readonly Store _store;
    private readonly XmppServer _xmpp;
    private readonly S2sService _service;
    private readonly XmlStreamContext _context = new(XmlStreamOptions.ServerToServer);
    private readonly XmlStreamState _state;

    public S2sDeliveryTests()
    {
        _store = Store.Open(_dir, XmppMigrations.Set);
        _xmpp = new XmppServer("pi.example", new XmppOptions { C2sPort = 0, C2sDirectTlsPort = 0, S2sPort = 0 }, _store, new Router("pi.example"),
            null, NullLoggerFactory.Instance);
        _service = new S2sService(_xmpp, new FederationOptions { Mode = FederationMode.Open, Allow = [] }, certificate: null, NullLoggerFactory.Instance);
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Header)), default, _context);
        reader.Read();
        _state = reader.State;
    }

    [Fact]
    public void Deliver_RemoteChat_IsRemoteOriginWithItsExtensions()
    {
        var frontEnd = new RecordingFrontEnd();
        _xmpp.Router.AddFrontEnd(frontEnd);
        Deliver("<message from='romeo@far.example/pc' to='juliet@pi.example' type='chat' id='r1'><body>hi</body><thread>t9</thread>"
            + "<reply xmlns='urn:xmpp:reply:0' to='juliet@pi.example/balcony' id='j4'/><composing xmlns='http://jabber.org/protocol/chatstates'/></message>");

        SeenMessage seen = Assert.Single(frontEnd.Messages);
        Assert.Equal(StanzaOrigin.Remote, seen.Origin);
        Assert.Equal(("hi", "t9", "r1"), (seen.Body, seen.Thread, seen.Id));
        Assert.Equal((MessageRelation.Reply, "j4", "juliet@pi.example"), (seen.Relation, seen.RelatesTo, seen.RelatesToSender));
        Assert.Equal(ChatState.Composing, seen.ChatState);
    }

    public void Dispose()
    {
        _service.Dispose();
        _xmpp.Dispose();
        _store.Dispose();
        _context.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private void Deliver(string xml)
    {
        var reader = new XmlStreamReader(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(xml)), _state, _context);
        Assert.True(reader.Read());
        _service.Delivery.Deliver(reader.Element, new StanzaScratch());
    }
}
