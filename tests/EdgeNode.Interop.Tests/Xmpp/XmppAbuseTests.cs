using System.Text;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Xmpp;

/// <summary>
/// The XMPP findings of issue 14, each attack performed on a real node over real sockets: it fails with the protocol's
/// own error, and another user is served meanwhile.
/// </summary>
public class XmppAbuseTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RosterFlood_HugeNamesAndTooManyItems_AreRefusedWhileAnotherUserIsServed()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:MaxRosterItems=50"]);
        await node.AddUserAsync("mallory", "pw-mallory");
        await node.AddUserAsync("bob", "pw-bob");
        var (mallory, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "mallory", "pw-mallory");
        await using var _mallory = mallory;
        var (bob, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob");
        await using var _bob = bob;

        // The attack as found: items with 250 KB names (40 of them once stored 12 MB in 8 s).
        await mallory.SendAsync($"<iq type='set' id='huge'><query xmlns='jabber:iq:roster'><item jid='victim@localhost' name='{new string('n', 250_000)}'/></query></iq>");
        string huge = await mallory.ReadUntilAsync("id='huge'");
        string refusal = await mallory.ReadUntilAsync("</iq>");
        Assert.Contains("type='error'", huge + refusal);
        Assert.Contains("<error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", refusal);
        await bob.PingAsync("during-roster-flood");

        // Sixty items of 1,000-byte names: fifty fit, the rest are not-allowed.
        var batch = new StringBuilder();
        for (int i = 0; i < 60; i++)
        {
            batch.Append($"<iq type='set' id='s{i:D2}'><query xmlns='jabber:iq:roster'><item jid='c{i:D2}@localhost' name='{new string('n', 1000)}'/></query></iq>");
        }

        await mallory.SendAsync(batch.ToString());
        string answers = await ReadToIdAsync(mallory, "s59") + await mallory.ReadUntilAsync("</iq>");
        for (int i = 0; i < 50; i++)
        {
            Assert.Contains($"type='result' id='s{i:D2}'", answers);
        }

        for (int i = 50; i < 60; i++)
        {
            Assert.Contains($"type='error' id='s{i:D2}'><error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", answers);
        }

        await mallory.SendAsync("<iq type='get' id='fetch'><query xmlns='jabber:iq:roster'/></iq>");
        string roster = await mallory.ReadUntilAsync("</query></iq>", Long);
        Assert.Equal(50, roster.Split("<item ").Length - 1);
        Assert.DoesNotContain("victim@", roster);
        await mallory.PingAsync("after-roster");
        await bob.PingAsync("after-roster-flood");
    }

    [Fact]
    public async Task RosterManyTimesTheOutboundBuffer_IsDeliveredWholeAndTheSessionStays()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:MaxOutboundBytes=65536"]);
        await node.AddUserAsync("admin", "pw-admin");
        await node.AddUserAsync("bob", "pw-bob");
        var (setup, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "admin", "pw-admin", "setup");
        await using var _setup = setup;

        // 300 items of about 1.1 KB: five times the 64 KiB outbound buffer (as many devices in an admin's roster).
        var batch = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            batch.Append($"<iq type='set' id='a{i:D3}'><query xmlns='jabber:iq:roster'><item jid='device{i:D3}@localhost' name='[{i:D3}]{new string('d', 1000)}'><group>devices</group></item></query></iq>");
        }

        await setup.SendAsync(batch.ToString());
        Assert.Contains("type='result' id='a299'", await ReadToIdAsync(setup, "a299"));

        var (phone, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "admin", "pw-admin", "phone");
        await using var _phone = phone;
        var (bob, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob");
        await using var _bob = bob;
        await phone.SendAsync("<iq type='get' id='all'><query xmlns='jabber:iq:roster'/></iq><presence/>");
        await bob.SendAsync("<message to='admin@localhost/phone' type='chat' id='b1'><body>while the roster is written</body></message>");
        string received = await phone.ReadUntilAsync("</query></iq>", Long);
        string result = received[received.IndexOf("id='all'", StringComparison.Ordinal)..];
        int at = 0;
        for (int i = 0; i < 300; i++)
        {
            int next = result.IndexOf($"jid='device{i:D3}@localhost' name='[{i:D3}]", at, StringComparison.Ordinal);
            Assert.True(next >= at, $"item {i} is missing or out of order");
            at = next;
        }

        // Bob's message came before the result or after it, never inside it.
        Assert.DoesNotContain("<message", result);
        if (!received.Contains("while the roster is written", StringComparison.Ordinal))
        {
            await phone.ReadUntilAsync("while the roster is written");
        }

        await phone.PingAsync("after-big-roster");
        await bob.PingAsync("bob-after-big-roster");
    }

    [Fact]
    public async Task MessageFlood_OneSenderToOneRecipient_IsRefusedWithResourceConstraint_AndTheRecipientStaysAndHearsOthers()
    {
        // 5,000 refusals are about 1.7 MB: room for them, so that how fast mallory reads on a busy machine does not
        // decide whether she is dropped as a non-reader (another test covers that limit).
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:MaxOutboundBytes=8388608"]);
        foreach (var user in (string[])["mallory", "alice", "carol"]) await node.AddUserAsync(user, "pw-" + user);
        var (alice, aliceJid) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        await alice.SendAsync("<presence/>");
        await alice.ReadUntilAsync("<presence");
        var (mallory, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "mallory", "pw-mallory");
        await using var _mallory = mallory;
        var (carol, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "carol", "pw-carol");
        await using var _carol = carol;

        // 5,000 messages at once, as fast as the socket takes them (the finding measured 12,200 a second). Mallory reads
        // her answers meanwhile, as a client does.
        Task<string> answers = ReadToIdAsync(mallory, "flood-done");
        var flood = new StringBuilder();
        for (int i = 0; i < 5000; i++)
        {
            flood.Append($"<message to='{aliceJid}' type='chat' id='f{i}'><body>flood {i}</body></message>");
        }

        await mallory.SendAsync(flood.ToString());
        await mallory.SendAsync("<iq type='get' to='localhost' id='flood-done'><ping xmlns='urn:xmpp:ping'/></iq>");
        string refused = await answers;
        int errors = refused.Split("<error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>").Length - 1;
        Assert.True(errors >= 4500, $"only {errors} of 5000 were refused");

        // Alice was not disconnected as a non-reader, got at most the pair's burst and what refilled, and hears carol.
        await carol.SendAsync("<message to='alice@localhost' type='chat' id='c1'><body>hello from carol</body></message>");
        string seen = await alice.ReadUntilAsync("hello from carol", Long);
        int delivered = seen.Split("<body>flood ").Length - 1;
        Assert.True(delivered > 0 && delivered <= 5000 - errors, $"{delivered} delivered, {errors} refused");
        Assert.True(delivered <= 200, $"{delivered} flood messages reached alice");
        await alice.PingAsync("alice-after-flood");
        await mallory.PingAsync("mallory-not-disconnected");
    }

    [Fact]
    public async Task OfflineFlood_OneSenderGetsOnlyItsShare_AndOtherSendersStillStore()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:OfflineQuotaPerSender=20"]);
        foreach (var user in (string[])["mallory", "alice", "carol"]) await node.AddUserAsync(user, "pw-" + user);
        var (mallory, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "mallory", "pw-mallory");
        await using var _mallory = mallory;
        var flood = new StringBuilder();
        for (int i = 1; i <= 30; i++)
        {
            flood.Append($"<message to='alice@localhost' type='chat' id='o{i}'><body>stored {i:D2}</body></message>");
        }

        await mallory.SendAsync(flood.ToString());
        string answers = await PingAsync(mallory, "stored-all");
        Assert.Equal(10, answers.Split("<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>").Length - 1);
        Assert.Contains("id='o21'", answers);
        Assert.DoesNotContain("id='o20'", answers);

        var (carol, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "carol", "pw-carol");
        await using var _carol = carol;
        await carol.SendAsync("<message to='alice@localhost' type='chat' id='c1'><body>from carol</body></message>");
        Assert.DoesNotContain("type='error'", await PingAsync(carol, "carol-stored"));

        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        await alice.SendAsync("<presence/>");
        string delivered = await alice.ReadUntilAsync("from carol", Long);
        Assert.Contains("stored 20", delivered);
        Assert.DoesNotContain("stored 21", delivered);
    }

    [Fact]
    public async Task SubscriptionToAnAccountThatDoesNotExist_IsAnsweredUnsubscribed_AndALaterAccountOfThatNameInheritsNothing()
    {
        await using var node = await TestNode.StartAsync();
        await node.AddUserAsync("mallory", "pw-mallory");
        var (mallory, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "mallory", "pw-mallory");
        await using var _mallory = mallory;
        await mallory.SendAsync("<presence/><presence to='newhire@localhost' type='subscribe'/>");
        string answer = await mallory.ReadUntilAsync("type='unsubscribed'");
        Assert.Contains("from='newhire@localhost'", answer[answer.LastIndexOf("<presence", StringComparison.Ordinal)..]);

        // The account is made later: it starts with an empty roster and no pending request from mallory.
        await node.AddUserAsync("newhire", "pw-newhire");
        var (newhire, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "newhire", "pw-newhire");
        await using var _newhire = newhire;
        await newhire.SendAsync("<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq><presence/>");
        string seen = await PingAsync(newhire, "newhire-settled");
        Assert.DoesNotContain("<item ", seen);
        Assert.DoesNotContain("mallory@", seen);
    }

    [Fact]
    public async Task PasswordChange_NamingAnotherAccount_IsBadRequestAndChangesNothing()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("mallory", "pw-mallory"), ("bob", "pw-bob"));
        var (mallory, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "mallory", "pw-mallory");
        await using var _mallory = mallory;
        await mallory.SendAsync("<iq type='set' id='pw1'><query xmlns='jabber:iq:register'><username>bob</username><password>stolen-by-mallory</password></query></iq>");
        string refused = await mallory.ReadUntilAsync("</iq>");
        Assert.Contains("type='error' id='pw1'><error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", refused);
        await mallory.SendAsync("<iq type='set' id='pw2'><query xmlns='jabber:iq:register'><password>no-username-given</password></query></iq>");
        Assert.Contains("<bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", await mallory.ReadUntilAsync("</iq>"));

        // Bob's password is his still; mallory's own change works and takes effect.
        var (bob, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob");
        await bob.DisposeAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "stolen-by-mallory"));
        await mallory.SendAsync("<iq type='set' id='pw3'><query xmlns='jabber:iq:register'><username>mallory</username><password>pw-mallory-2</password></query></iq>");
        Assert.Contains("type='result' id='pw3'", await mallory.ReadUntilAsync("id='pw3'"));
        var (again, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "mallory", "pw-mallory-2");
        await again.DisposeAsync();
    }

    /// <summary>An XEP-0199 ping answered: everything sent before it was handled. Returns all that arrived up to the answer.</summary>
    private static async Task<string> PingAsync(RawXmppClient client, string id)
    {
        await client.SendAsync($"<iq type='get' to='localhost' id='{id}'><ping xmlns='urn:xmpp:ping'/></iq>");
        return await ReadToIdAsync(client, id);
    }

    /// <summary>All that arrives up to the stanza with <paramref name="id"/>.</summary>
    private static Task<string> ReadToIdAsync(RawXmppClient client, string id) => client.ReadUntilAsync($"id='{id}'", Long);
}
