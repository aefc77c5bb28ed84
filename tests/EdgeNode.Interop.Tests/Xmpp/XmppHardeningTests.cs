using System.Text;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Xmpp;

/// <summary>
/// Limits and orderings of the c2s service on the wire: offline storage by bytes and delivery beyond the outbound
/// buffer, the bound on directed presence, and what contacts see when a login replaces a session.
/// </summary>
public class XmppHardeningTests
{
    [Fact]
    public async Task OfflineMessages_ManyTimesTheOutboundBuffer_AllArriveInOrderAndNoneTwice()
    {
        // 400 from one sender at once: the rate limits and the per-sender share are off here, this is about delivery.
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:MaxOutboundBytes=65536", "--Xmpp:OfflineQuota=1000",
            "--Xmpp:OfflineQuotaPerSender=0", "--Xmpp:MessagesPerSecond=0", "--Xmpp:MessagesPerSecondToOneRecipient=0"]);
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("carol", "pw-carol");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;

        // 400 messages of about 1 KiB: over six times the 64 KiB outbound buffer, well within the 4 MiB quota.
        const int count = 400;
        string padding = new('p', 900);
        var batch = new StringBuilder();
        for (int i = 1; i <= count; i++)
        {
            batch.Append($"<message to='carol@localhost' type='chat' id='o{i}'><body>[{i:D3}] {padding}</body></message>");
        }

        await alice.SendAsync(batch.ToString());
        Assert.DoesNotContain("type='error'", await PingAsync(alice, "all-stored"));

        var (carol, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "carol", "pw-carol");
        await using var _carol = carol;
        await carol.SendAsync("<presence/>");
        string delivered = await carol.ReadUntilAsync($"[{count:D3}]", TimeSpan.FromSeconds(60));

        int at = 0;
        for (int i = 1; i <= count; i++)
        {
            int next = delivered.IndexOf($"[{i:D3}]", at, StringComparison.Ordinal);
            Assert.True(next >= 0, $"message {i} is missing or out of order");
            at = next;
        }

        // The store is empty afterwards: a second login gets nothing more.
        await carol.PingAsync("after-delivery");
        var (again, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "carol", "pw-carol");
        await using var _again = again;
        await again.SendAsync("<presence/>");
        Assert.DoesNotContain("<body>", await PingAsync(again, "second-login"));
    }

    [Fact]
    public async Task OfflineByteQuota_WhenFull_TheSenderGetsServiceUnavailableAndStoredMessagesArrive()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:OfflineQuotaBytes=2500"]);
        await node.AddUserAsync("alice", "pw-alice");
        await node.AddUserAsync("carol", "pw-carol");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        string padding = new('b', 1000);
        for (int i = 1; i <= 3; i++)
        {
            await alice.SendAsync($"<message to='carol@localhost' type='chat' id='q{i}'><body>big {i} {padding}</body></message>");
        }

        string error = await alice.ReadUntilAsync("</message>");
        Assert.Contains("id='q3'", error);
        Assert.Contains("<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", error);

        var (carol, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "carol", "pw-carol");
        await using var _carol = carol;
        await carol.SendAsync("<presence/>");
        string delivered = await carol.ReadUntilAsync("big 2 ");
        Assert.Contains("big 1 ", delivered);
    }

    [Fact]
    public async Task DirectedPresence_BeyondOneThousandAddresses_GetsResourceConstraint()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"));
        var (alice, jid) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;

        var batch = new StringBuilder();
        for (int i = 1; i <= 1000; i++)
        {
            batch.Append($"<presence to='watcher{i}@localhost'/>");
        }

        await alice.SendAsync(batch.ToString());
        Assert.DoesNotContain("type='error'", await PingAsync(alice, "thousand"));

        // An address already holding directed presence may get it again; a new one is refused.
        await alice.SendAsync("<presence to='watcher1@localhost'><show>away</show></presence><presence to='watcher1001@localhost' id='d1'/>");
        string refused = await alice.ReadUntilAsync("</presence>");
        Assert.Contains($"from='watcher1001@localhost' to='{jid}' type='error' id='d1'", refused);
        Assert.Contains("<error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>", refused);
        Assert.DoesNotContain("watcher1@", refused);

        // Unavailable to one address makes room for another.
        await alice.SendAsync("<presence to='watcher2@localhost' type='unavailable'/><presence to='watcher1001@localhost' id='d2'/>");
        Assert.DoesNotContain("type='error'", await PingAsync(alice, "room-again"));
    }

    [Fact]
    public async Task SameResourceTwice_ContactsSeeTheOldSessionLeaveThenTheNewOneArrive()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"));
        var (watch, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice", resource: "watch");
        await using var _watch = watch;
        await watch.SendAsync("<presence/>");
        await watch.ReadUntilAsync("from='alice@localhost/watch'");

        var (first, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice", resource: "phone");
        await using var _first = first;
        await first.SendAsync("<presence><status>old phone</status></presence>");
        await watch.ReadUntilAsync("<status>old phone</status>");

        // The new login sends its presence at once, racing the old connection's close: the old one's unavailable must
        // still reach the other resources first, or they would end up believing the resource gone.
        var (second, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice", resource: "phone");
        await using var _second = second;
        await second.SendAsync("<presence><status>new phone</status></presence>");
        string seen = await watch.ReadUntilAsync("<status>new phone</status>");
        int gone = seen.IndexOf("from='alice@localhost/phone' type='unavailable'", StringComparison.Ordinal);
        Assert.True(gone >= 0, seen);
        Assert.True(gone < seen.IndexOf("<status>new phone</status>", StringComparison.Ordinal));
        Assert.DoesNotContain("old phone", seen);

        string closed = await first.ReadToCloseAsync();
        Assert.Contains("<conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", closed);
        Assert.EndsWith("</stream:stream>", closed);
        Assert.DoesNotContain("type='unavailable'", await PingAsync(watch, "after-conflict"));
        await second.PingAsync("new-session");
    }

    /// <summary>An XEP-0199 ping answered: everything sent before it was handled. Returns all that arrived up to the answer.</summary>
    private static async Task<string> PingAsync(RawXmppClient client, string id)
    {
        await client.SendAsync($"<iq type='get' to='localhost' id='{id}'><ping xmlns='urn:xmpp:ping'/></iq>");
        return await client.ReadUntilAsync($"id='{id}'");
    }
}
