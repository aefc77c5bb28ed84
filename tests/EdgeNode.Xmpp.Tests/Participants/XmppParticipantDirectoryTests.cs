using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Participants;
using EdgeNode.Core.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Xmpp.Participants;
using EdgeNode.Xmpp.Roster;
using EdgeNode.Xmpp.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Xmpp.Tests.Participants;

/// <summary>A participant's protocol-neutral description as XMPP shows it: roster items and vCard answers.</summary>
public sealed class XmppParticipantDirectoryTests : IDisposable
{
    private const string Alice = "alice@pi.example";
    private const string Bob = "bob@pi.example";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgenode-participants-").FullName;
    private readonly Store _store;
    private readonly Router _router = new("pi.example");
    private readonly XmppServer _server;
    private readonly XmppParticipantDirectory _directory;
    private readonly Recorder _alicePhone = new(Alice, "phone");
    private readonly Recorder _bobPhone = new(Bob, "phone");

    private static readonly ParticipantDescription Plug = new("plug1@pi.example", "Desk <plug>", ParticipantKind.Device)
    {
        Groups = ["Switches"],
        Contacts = [Alice],
        Viewers = [Alice, "carol@other.example"],
        Nickname = "plug1",
        Organisation = "Tasmota",
        Title = "Sonoff S26",
        Description = "Tasmota device, firmware 14.1.0.",
    };

    public XmppParticipantDirectoryTests()
    {
        _store = Store.Open(_dir, XmppMigrations.Set);
        var options = new XmppOptions { C2sPort = 0, C2sDirectTlsPort = 0, S2sPort = 0 };
        _server = new XmppServer("pi.example", options, _store, _router, null, NullLoggerFactory.Instance);
        _server.Accounts.Add(Jid.Parse(Alice), "pw-alice-1");
        _server.Accounts.Add(Jid.Parse(Bob), "pw-bob-1");
        _directory = new XmppParticipantDirectory(_server.RosterService, _router);
        _router.Register(_alicePhone);
        _router.Register(_bobPhone);
    }

    [Fact]
    public void Describe_PutsItInItsContactsRosters_WithoutHandshake_FormerContactsLoseIt()
    {
        _directory.Describe(Plug, null);

        var item = _server.Rosters.Find(Alice, "plug1@pi.example")!;
        Assert.Equal(("Desk <plug>", Subscription.Both, true), (item.Name, item.Subscription, item.InRoster));
        Assert.Equal(["Switches"], item.Groups);
        Assert.Null(_server.Rosters.Find(Bob, "plug1@pi.example"));

        _directory.Describe(Plug with { Contacts = [Bob] }, Plug);
        Assert.False(InRoster(Alice));
        Assert.True(InRoster(Bob));

        _directory.Forget(Plug with { Contacts = [Bob] });
        Assert.False(InRoster(Bob));
    }

    [Fact]
    public void Answer_VCardGetFromAViewer_IsItsCard_FromTheBareAddress()
    {
        Ask(Alice + "/phone", "get", "<iq type='get' id='v1'><vCard xmlns='vcard-temp'/></iq>", Plug);

        var (type, origin, xml) = Assert.Single(_alicePhone.Received);
        Assert.Equal((IqType.Result, StanzaOrigin.Device), (type, origin));
        Assert.Equal("<iq xmlns='jabber:client' from='plug1@pi.example' to='alice@pi.example/phone' type='result' id='v'>"
            + "<vCard xmlns='vcard-temp'><FN>Desk &lt;plug&gt;</FN><NICKNAME>plug1</NICKNAME><ORG><ORGNAME>Tasmota</ORGNAME></ORG>"
            + "<TITLE>Sonoff S26</TITLE><DESC>Tasmota device, firmware 14.1.0.</DESC></vCard></iq>", xml.Replace('"', '\''));
    }

    [Theory]
    [InlineData(Bob + "/phone", "<iq type='get' id='v2'><vCard xmlns='vcard-temp'/></iq>", true, "<forbidden ")]
    [InlineData(Alice + "/phone", "<iq type='get' id='v2'><query xmlns='jabber:iq:version'/></iq>", true, "<service-unavailable ")]
    [InlineData(Alice + "/phone", "<iq type='get' id='v2'><vCard xmlns='vcard-temp'/></iq>", false, "<forbidden ")]
    public void Answer_OthersAndOtherQueries_AreRefusedWithTheRightCondition(string from, string iq, bool known, string condition)
    {
        Ask(from, "get", iq, known ? Plug : null);

        var received = (from.StartsWith("bob", StringComparison.Ordinal) ? _bobPhone : _alicePhone).Received;
        var (type, _, xml) = Assert.Single(received);
        Assert.Equal(IqType.Error, type);
        Assert.Contains("from='plug1@pi.example'", xml.Replace('"', '\''), StringComparison.Ordinal);
        Assert.Contains(condition, xml, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_ResultOrError_GetsNoAnswer()
    {
        Ask(Alice + "/phone", "result", "<iq type='result' id='v3'/>", Plug);
        Assert.Empty(_alicePhone.Received);
    }

    private bool InRoster(string owner) => _server.Rosters.Find(owner, "plug1@pi.example")?.InRoster == true;

    private void Ask(string from, string type, string iq, ParticipantDescription? participant)
    {
        var iqType = type switch { "get" => IqType.Get, "set" => IqType.Set, "result" => IqType.Result, _ => IqType.Error };
        _directory.Answer(RoutedStanza.Iq(iqType, Encoding.UTF8.GetBytes(from), "plug1@pi.example"u8, "v"u8, Encoding.UTF8.GetBytes(iq)),
            participant, StanzaOrigin.Device);
    }

    public void Dispose()
    {
        _store.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private sealed class Recorder(string bare, string resource) : IRouteTarget
    {
        private readonly byte[] _resource = Encoding.UTF8.GetBytes(resource);
        private readonly byte[] _full = Encoding.UTF8.GetBytes(bare + "/" + resource);

        public List<(IqType Type, StanzaOrigin Origin, string Xml)> Received { get; } = [];
        public string Bare => bare;
        public ReadOnlySpan<byte> Resource => _resource;
        public ReadOnlySpan<byte> FullAddress => _full;
        public bool IsAvailable => true;
        public int Priority => 0;

        public bool Deliver(in RoutedStanza stanza)
        {
            if (stanza.Kind == StanzaKind.Iq)
            {
                Received.Add((stanza.IqType, stanza.Origin, Encoding.UTF8.GetString(stanza.Xmpp)));
            }

            return true;
        }

        public void DeliverCopy(in RoutedStanza stanza, CopyKind kind)
        {
        }

        public void Close(TargetCloseReason reason)
        {
        }
    }
}
