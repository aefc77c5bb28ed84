using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Xmpp;

/// <summary>
/// Server rules no client library exercises on its own (roster versioning, pre-approval, registration, stanza errors),
/// checked on the wire with the raw client against a node on loopback.
/// </summary>
public class XmppServerBehaviourTests
{
    [Fact]
    public async Task Roster_SameVersion_GetsAnEmptyResultAndChangesArePushed()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;

        await alice.SendAsync("<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>");
        Assert.Contains("<query xmlns='jabber:iq:roster' ver='0'>", await alice.ReadUntilAsync("</iq>"));

        await alice.SendAsync("<iq type='set' id='r2'><query xmlns='jabber:iq:roster'><item jid='bob@localhost' name='Bob'><group>Friends</group></item></query></iq>");
        string pushAndResult = await alice.ReadUntilAsync("id='r2'/>");
        Assert.Contains("type='set'", pushAndResult);
        Assert.Contains("ver='1'><item jid='bob@localhost' name='Bob' subscription='none'><group>Friends</group></item>", pushAndResult);

        await alice.SendAsync("<iq type='get' id='r3'><query xmlns='jabber:iq:roster' ver='1'/></iq>");
        Assert.EndsWith("type='result' id='r3'/>", await alice.ReadUntilAsync("id='r3'/>"));

        await alice.SendAsync("<iq type='get' id='r4'><query xmlns='jabber:iq:roster' ver='0'/></iq>");
        Assert.Contains("<item jid='bob@localhost' name='Bob' subscription='none'>", await alice.ReadUntilAsync("</iq>"));

        await alice.SendAsync("<iq type='set' id='r5'><query xmlns='jabber:iq:roster'><item jid='bob@localhost' subscription='remove'/></query></iq>");
        Assert.Contains("subscription='remove'", await alice.ReadUntilAsync("id='r5'/>"));
    }

    [Fact]
    public async Task PreApproval_AnswersTheLaterRequestAtOnceAndPresenceFlows()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        var (alice, aliceJid) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        await alice.SendAsync("<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>");
        await alice.ReadUntilAsync("</iq>");
        await alice.SendAsync("<presence><priority>1</priority></presence>");
        await alice.ReadUntilAsync("</presence>");

        // Alice approves Bob before he asks (RFC 6121 3.4).
        await alice.SendAsync("<presence to='bob@localhost' type='subscribed'/>");
        Assert.Contains("<item jid='bob@localhost' subscription='none' approved='true'/>", await alice.ReadUntilAsync("</iq>"));

        var (bob, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob");
        await using var _bob = bob;
        await bob.SendAsync("<iq type='get' id='b1'><query xmlns='jabber:iq:roster'/></iq>");
        await bob.ReadUntilAsync("</iq>");
        await bob.SendAsync("<presence/>");
        await bob.ReadUntilAsync("<presence");
        await bob.SendAsync("<presence to='alice@localhost' type='subscribe'/>");

        string bobSees = await bob.ReadUntilAsync($"from='{aliceJid}'");
        Assert.Contains("subscription='to'", bobSees);
        Assert.Contains("from='alice@localhost' to='bob@localhost' type='subscribed'", bobSees);
        string aliceSees = await alice.ReadUntilAsync("subscription='from'");
        Assert.DoesNotContain("type='subscribe'", aliceSees);

        // Alice leaves without a word: Bob, her subscriber, sees her go.
        await alice.DisposeAsync();
        Assert.Contains("type='unavailable'", await bob.ReadUntilAsync($"from='{aliceJid}' type='unavailable'"));
    }

    [Fact]
    public async Task NegativePriority_MessagesToTheBareAddressWaitOffline()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        var (bob, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob");
        await using var _bob = bob;
        await bob.SendAsync("<presence><priority>-1</priority></presence>");
        await bob.ReadUntilAsync("</presence>");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        await alice.SendAsync("<message to='bob@localhost' type='chat' id='m1'><body>kept for later</body></message>");
        await alice.PingAsync("p1");

        await bob.SendAsync("<presence><priority>0</priority></presence>");
        string delivered = await bob.ReadUntilAsync("</message>");
        Assert.Contains("<body>kept for later</body>", delivered);
        Assert.Contains("<delay xmlns='urn:xmpp:delay' from='localhost' stamp='", delivered);
    }

    [Fact]
    public async Task OfflineQuota_WhenFull_TheSenderGetsAnError()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:OfflineQuota=2"]);
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("carol", "pw-carol");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        for (int i = 1; i <= 3; i++)
        {
            await alice.SendAsync($"<message to='carol@localhost' type='chat' id='q{i}'><body>note {i}</body></message>");
        }

        string error = await alice.ReadUntilAsync("</message>");
        Assert.Contains("id='q3'", error);
        Assert.Contains("<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", error);
        Assert.Contains("offline storage is full", error);

        var (carol, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "carol", "pw-carol");
        await using var _carol = carol;
        await carol.SendAsync("<presence/>");
        string delivered = await carol.ReadUntilAsync("note 2</body>");
        Assert.True(delivered.IndexOf("note 1", StringComparison.Ordinal) < delivered.IndexOf("note 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StanzaErrors_UnknownAccountGroupchatAndUnknownIq()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;

        await alice.SendAsync("<message to='nobody@localhost' type='chat' id='e1'><body>hello?</body></message>");
        Assert.Contains("<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", await alice.ReadUntilAsync("</message>"));

        await alice.SendAsync("<message to='bob@localhost' type='groupchat' id='e2'><body>room?</body></message>");
        Assert.Contains("<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", await alice.ReadUntilAsync("</message>"));

        await alice.SendAsync("<iq type='get' id='e3' to='localhost'><query xmlns='urn:example:nothing'/></iq>");
        string unknown = await alice.ReadUntilAsync("</iq>");
        Assert.Contains("type='error' id='e3'", unknown);
        Assert.Contains("<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", unknown);

        await alice.SendAsync("<iq type='get' id='e6' to='nobody@localhost'><vCard xmlns='vcard-temp'/></iq>");
        Assert.Contains("<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", await alice.ReadUntilAsync("</iq>"));

        await alice.SendAsync("<iq type='get' id='e4' to='bob@localhost/nowhere'><ping xmlns='urn:xmpp:ping'/></iq>");
        Assert.Contains("<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", await alice.ReadUntilAsync("</iq>"));

        await alice.SendAsync("<message to='bob@elsewhere.example' type='chat' id='e5'><body>far</body></message>");
        Assert.Contains("<remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", await alice.ReadUntilAsync("</message>"));
    }

    [Fact]
    public async Task Registration_WhenAllowed_CreatesAnAccountThatCanLogIn()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:AllowRegistration=true"]);
        await using (var client = await RawXmppClient.ConnectAsync(node.Address, node.Port("Xmpp:C2sPort")))
        {
            await client.StartTlsAsync();
            await client.SendAsync(RawXmppClient.Header());
            Assert.Contains("<register xmlns='http://jabber.org/features/iq-register'/>", await client.ReadUntilAsync("</stream:features>"));
            await client.SendAsync("<iq type='get' id='g1'><query xmlns='jabber:iq:register'/></iq>");
            Assert.Contains("<username/><password/>", await client.ReadUntilAsync("</iq>"));
            await client.SendAsync("<iq type='set' id='s1'><query xmlns='jabber:iq:register'><username>dave</username><password>pw-dave</password></query></iq>");
            Assert.Contains("type='result' id='s1'", await client.ReadUntilAsync("/>"));
            await client.SendAsync("<iq type='set' id='s2'><query xmlns='jabber:iq:register'><username>dave</username><password>other</password></query></iq>");
            Assert.Contains("<conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", await client.ReadUntilAsync("</iq>"));
        }

        var (dave, jid) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "dave", "pw-dave");
        await using var _dave = dave;
        Assert.StartsWith("dave@localhost/", jid);
    }

    [Fact]
    public async Task Registration_ByDefault_IsNotOffered()
    {
        await using var node = await TestNode.StartAsync();
        await using var client = await RawXmppClient.ConnectAsync(node.Address, node.Port("Xmpp:C2sPort"));
        await client.StartTlsAsync();
        await client.SendAsync(RawXmppClient.Header());
        Assert.DoesNotContain("iq-register", await client.ReadUntilAsync("</stream:features>"));
        await client.SendAsync("<iq type='set' id='s1'><query xmlns='jabber:iq:register'><username>eve</username><password>pw</password></query></iq>");
        Assert.Contains("<not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", await client.ReadToCloseAsync());
    }
}
