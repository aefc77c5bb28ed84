using System.Text;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests.Xmpp;

/// <summary>
/// Hostile and broken clients against a node on loopback: each gets its stream error and a closed connection, and a
/// well-behaved client on the same node keeps being served throughout.
/// </summary>
public class XmppResilienceTests
{
    [Fact]
    public async Task Doctype_GetsRestrictedXmlAndClose_WhileAnotherClientIsServed()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("bob", "pw-bob"));
        var (bob, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob");
        await using var _bob = bob;

        await using var hostile = await RawXmppClient.ConnectAsync(node.Address, node.Port("Xmpp:C2sPort"));
        await hostile.SendAsync("<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY lol 'lol'>]>" + RawXmppClient.Header());
        string answer = await hostile.ReadToCloseAsync();
        Assert.True(answer.Contains("<restricted-xml xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", StringComparison.Ordinal), answer);
        Assert.EndsWith("</stream:stream>", answer);

        await bob.PingAsync("after-doctype");
    }

    [Fact]
    public async Task OneMebibyteStanza_GetsPolicyViolationAndClose_WhileAnotherClientIsServed()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        var (bob, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob");
        await using var _bob = bob;
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;

        var send = Task.Run(async () =>
        {
            try
            {
                await alice.SendAsync("<message to='bob@localhost' type='chat'><body>");
                var chunk = Encoding.UTF8.GetBytes(new string('a', 64 * 1024));
                for (int i = 0; i < 16; i++) await alice.SendAsync(chunk);
                await alice.SendAsync("</body></message>");
            }
            catch (IOException)
            {
                // The server closed the connection while the rest was being sent.
            }
        });
        string answer = await alice.ReadToCloseAsync();
        await send;
        Assert.Contains("<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", answer);
        Assert.EndsWith("</stream:stream>", answer);

        await bob.PingAsync("after-big-stanza");
    }

    [Fact]
    public async Task GarbageAndAbruptDisconnects_FromManyClients_LeaveTheNodeServing()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        var (bob, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob");
        await using var _bob = bob;
        var random = new Random(20261121);
        string[] prefixes =
        [
            RawXmppClient.Header(),
            RawXmppClient.Header() + "<message to='bob@localhost'><body>cut off in the mid",
            RawXmppClient.Header() + "<message><body></message></body>",
            RawXmppClient.Header() + "<a:b xmlns='jabber:client'/>",
            "<stream:stream xmlns='jabber:client'>",
            "\u00ef\u00bb\u00bf<?xml version='1.0' encoding='UTF-16'?>",
            "",
        ];
        var tasks = Enumerable.Range(0, 24).Select(async i =>
        {
            var garbage = new byte[random.Next(64, 4096)];
            lock (random) random.NextBytes(garbage);
            await using var client = await RawXmppClient.ConnectAsync(node.Address, node.Port(i % 2 == 0 ? "Xmpp:C2sPort" : "Xmpp:C2sDirectTlsPort"));
            try
            {
                await client.SendAsync(prefixes[i % prefixes.Length]);
                if (i % 3 != 0)
                {
                    await client.SendAsync(garbage);
                    if (i % 4 == 1) await client.ReadToCloseAsync(TimeSpan.FromSeconds(20));
                }
            }
            catch (IOException)
            {
            }
        }).ToArray();
        await Task.WhenAll(tasks);

        // A logged-in client mid-stanza that vanishes: its session ends and others carry on.
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await alice.SendAsync("<presence/><message to='bob@localhost' type='chat'><body>half a mess");
        await alice.DisposeAsync();

        await bob.PingAsync("after-garbage");
        var (again, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _again = again;
        await again.PingAsync("alice-again");
    }

    [Fact]
    public async Task PrefixedStanza_GetsBadNamespacePrefix()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"));
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        await alice.SendAsync("<c:message xmlns:c='jabber:client' to='alice@localhost'><c:body>hi</c:body></c:message>");
        Assert.Contains("<bad-namespace-prefix xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", await alice.ReadToCloseAsync());
    }

    [Fact]
    public async Task StanzaNeverFinished_TimesOutWithConnectionTimeout()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:StanzaTimeoutSeconds=2"]);
        await node.AddUserAsync("alice", "pw-alice");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        await alice.SendAsync("<message to='alice@localhost'><body>and then noth");
        string answer = await alice.ReadToCloseAsync(TimeSpan.FromSeconds(15));
        Assert.Contains("<connection-timeout xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", answer);
    }

    [Fact]
    public async Task ClientThatNeverLogsIn_IsDisconnectedAfterTheNegotiationTimeout()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:NegotiationTimeoutSeconds=2"]);
        await using var idle = await RawXmppClient.ConnectAsync(node.Address, node.Port("Xmpp:C2sPort"));
        await idle.SendAsync(RawXmppClient.Header());
        string answer = await idle.ReadToCloseAsync(TimeSpan.FromSeconds(15));
        Assert.Contains("<connection-timeout xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", answer);
    }

    [Fact]
    public async Task ReaderThatNeverReads_IsDisconnectedWhileOthersAreServed()
    {
        // The message rate limits would refuse this flood at the sender: off here, this is about the reader.
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:MaxOutboundBytes=65536", "--Xmpp:MessagesPerSecond=0", "--Xmpp:MessagesPerSecondToOneRecipient=0"]);
        foreach (var user in (string[])["alice", "bob", "carol"]) await node.AddUserAsync(user, "pw-" + user);
        var (sloth, slothJid) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "bob", "pw-bob", receiveBuffer: 4096);
        await using var _sloth = sloth;
        await sloth.SendAsync("<presence/>");
        await sloth.ReadUntilAsync("<presence");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        var (carol, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "carol", "pw-carol");
        await using var _carol = carol;

        // 24 MiB to a client that reads nothing: more than every socket buffer on the way and the outbound cap. The
        // sender does not read its own stream meanwhile either, so the node may end its session too; either way the
        // node's memory stays bounded and carol, who behaves, is served.
        var flood = Encoding.UTF8.GetBytes($"<message to='{slothJid}' type='chat'><body>{new string('x', 8000)}</body></message>");
        var batch = Enumerable.Repeat(flood, 32).SelectMany(b => b).ToArray();
        try
        {
            for (int i = 0; i < 96; i++) await alice.SendAsync(batch);
        }
        catch (IOException)
        {
        }

        await carol.PingAsync("during-flood");
        string received = await sloth.ReadToCloseAsync(TimeSpan.FromSeconds(30));
        Assert.True(received.Length < 24 * 1024 * 1024, "the server kept writing to a client that does not read");
        await carol.PingAsync("after-flood");
    }

    [Fact]
    public async Task SilentClient_IsPingedThenDisconnectedAsDead()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:PingIntervalSeconds=1", "--Xmpp:PingTimeoutSeconds=2"]);
        await node.AddUserAsync("alice", "pw-alice");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        string ping = await alice.ReadUntilAsync("<ping xmlns='urn:xmpp:ping'/>", TimeSpan.FromSeconds(10));
        Assert.Contains("type='get'", ping);
        await alice.ReadToCloseAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task ClientAnsweringPings_StaysConnected()
    {
        await using var node = await TestNode.StartAsync(settings: ["--Xmpp:PingIntervalSeconds=1", "--Xmpp:PingTimeoutSeconds=2", "--Xmpp:KeepaliveSeconds=1"]);
        await node.AddUserAsync("alice", "pw-alice");
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        for (int i = 0; i < 3; i++)
        {
            string ping = await alice.ReadUntilAsync("<ping xmlns='urn:xmpp:ping'/>", TimeSpan.FromSeconds(10));
            string id = ping[(ping.LastIndexOf("id='", StringComparison.Ordinal) + 4)..];
            id = id[..id.IndexOf('\'', StringComparison.Ordinal)];
            await alice.SendAsync($"<iq type='result' to='localhost' id='{id}'/>");
        }

        await alice.PingAsync("alive");
    }

    [Fact]
    public async Task SameResourceTwice_OldSessionGetsConflict()
    {
        await using var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"));
        var (first, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice", resource: "phone");
        await using var _first = first;
        var (second, jid) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice", resource: "phone");
        await using var _second = second;
        Assert.Equal("alice@localhost/phone", jid);
        string answer = await first.ReadToCloseAsync();
        Assert.Contains("<conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", answer);
        await second.PingAsync("new-session");
    }

    [Fact]
    public async Task NodeStopping_ClosesStreamsWithSystemShutdown()
    {
        var node = await XmppClientInteropTests.StartWithUsersAsync(("alice", "pw-alice"));
        var (alice, _) = await RawXmppClient.LoginAsync(node.Address, node.Port("Xmpp:C2sPort"), "alice", "pw-alice");
        await using var _alice = alice;
        var closing = alice.ReadToCloseAsync(TimeSpan.FromSeconds(30));
        await node.DisposeAsync();
        string answer = await closing;
        Assert.Contains("<system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>", answer);
        Assert.EndsWith("</stream:stream>", answer);
    }

    [Fact]
    public async Task PlaintextBeforeStartTls_IsRefusedUnlessLoopbackIsAllowed()
    {
        await using (var node = await TestNode.StartAsync())
        {
            await using var client = await RawXmppClient.ConnectAsync(node.Address, node.Port("Xmpp:C2sPort"));
            await client.SendAsync(RawXmppClient.Header());
            string features = await client.ReadUntilAsync("</stream:features>");
            Assert.Contains("<required/>", features);
            Assert.DoesNotContain("<mechanisms", features);
            await client.SendAsync("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGEAYg==</auth>");
            Assert.Contains("<encryption-required/>", await client.ReadUntilAsync("</failure>"));
        }

        await using (var node = await TestNode.StartAsync(settings: ["--Xmpp:AllowPlaintextLoopback=true"]))
        {
            await using var client = await RawXmppClient.ConnectAsync(node.Address, node.Port("Xmpp:C2sPort"));
            await client.SendAsync(RawXmppClient.Header());
            string features = await client.ReadUntilAsync("</stream:features>");
            Assert.DoesNotContain("<required/>", features);
            Assert.Contains("<mechanism>SCRAM-SHA-256</mechanism>", features);
            Assert.DoesNotContain("PLAIN", features);
        }
    }

    [Fact]
    public async Task DirectTls_OffersNoStartTls()
    {
        await using var node = await TestNode.StartAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(node.Address, node.Port("Xmpp:C2sDirectTlsPort"));
        using var tls = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("localhost");
        await tls.WriteAsync(Encoding.UTF8.GetBytes(RawXmppClient.Header()));
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!text.ToString().Contains("</stream:features>", StringComparison.Ordinal))
        {
            int n = await tls.ReadAsync(buffer, cts.Token);
            Assert.True(n > 0);
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }

        Assert.DoesNotContain("starttls", text.ToString());
        Assert.Contains("<mechanism>PLAIN</mechanism>", text.ToString());
    }
}
