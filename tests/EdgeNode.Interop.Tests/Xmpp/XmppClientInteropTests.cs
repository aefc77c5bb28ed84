using System.Text.Json;
using EdgeNode.Interop.Tests.Support;
using EdgeNode.Xmpp.Extensions;

namespace EdgeNode.Interop.Tests.Xmpp;

/// <summary>
/// Real XMPP clients (slixmpp, and aioxmpp as a second implementation) against a node on loopback, with accounts made
/// by `edgenode user add`. Everything is observed through the clients. The node's certificate is self-signed, so the
/// test clients switch certificate verification off.
/// </summary>
public class XmppClientInteropTests
{
    private static readonly TimeSpan ClientTime = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("starttls", "Xmpp:C2sPort")]
    [InlineData("directtls", "Xmpp:C2sDirectTlsPort")]
    public async Task Slixmpp_TwoUsers_SubscribeSeePresenceAndChatBothWays(string mode, string portKey)
    {
        await using var node = await StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        var result = await RunAsync("chat", node, mode, portKey, "alice", "pw-alice", "bob", "pw-bob");

        Assert.Equal(["SCRAM-SHA-256", "SCRAM-SHA-256"], Strings(result, "mechanisms"));
        Assert.Equal("alice@localhost", result.GetProperty("b_got_request_from").GetString());
        Assert.Equal("bob@localhost", result.GetProperty("a_got_request_from").GetString());
        Assert.Equal("both", result.GetProperty("a_roster").GetString());
        Assert.Equal("both", result.GetProperty("b_roster").GetString());
        Assert.StartsWith("bob@localhost/", result.GetProperty("a_sees").GetString());
        Assert.StartsWith("alice@localhost/", result.GetProperty("b_sees").GetString());
        Assert.Equal(["alice@localhost", "hello b, from a"], Strings(result, "b_received"));
        Assert.Equal(["bob@localhost", "hello a, from b"], Strings(result, "a_received"));
    }

    [Theory]
    [InlineData("SCRAM-SHA-1", "starttls", "Xmpp:C2sPort")]
    [InlineData("PLAIN", "starttls", "Xmpp:C2sPort")]
    [InlineData("SCRAM-SHA-256", "directtls", "Xmpp:C2sDirectTlsPort")]
    public async Task Slixmpp_EachMechanism_LogsInAndIsServed(string mechanism, string mode, string portKey)
    {
        await using var node = await StartWithUsersAsync(("alice", "pw-alice"));
        var result = await RunAsync("login", node, mode, portKey, "alice", "pw-alice", mechanism);
        Assert.Equal(mechanism, result.GetProperty("mechanism").GetString());
        Assert.StartsWith("alice@localhost/", result.GetProperty("jid").GetString());
        Assert.True(result.GetProperty("ping").GetBoolean());
    }

    [Fact]
    public async Task Slixmpp_MessageToOfflineUser_DeliveredInOrderAtLogin()
    {
        await using var node = await StartWithUsersAsync(("alice", "pw-alice"), ("carol", "pw-carol"));
        var result = await RunAsync("offline", node, "starttls", "Xmpp:C2sPort", "alice", "pw-alice", "carol", "pw-carol");
        Assert.Equal(["offline 0", "offline 1", "offline 2"], Strings(result, "bodies"));
        Assert.All(result.GetProperty("delayed").EnumerateArray(), d => Assert.True(d.GetBoolean()));
    }

    [Fact]
    public async Task Slixmpp_Carbons_SecondResourceGetsTheSentCopy()
    {
        await using var node = await StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        var result = await RunAsync("carbons", node, "starttls", "Xmpp:C2sPort", "alice", "pw-alice", "bob", "pw-bob");
        Assert.Equal("sent from one", result.GetProperty("b_received").GetString());
        Assert.Equal("sent from one", result.GetProperty("carbon_body").GetString());
        Assert.Equal("alice@localhost/one", result.GetProperty("carbon_from").GetString());
        Assert.Equal("bob@localhost", result.GetProperty("carbon_to").GetString());
    }

    [Fact]
    public async Task Slixmpp_DiscoInfo_ListsExactlyTheImplementedFeatures()
    {
        await using var node = await StartWithUsersAsync(("alice", "pw-alice"));
        var result = await RunAsync("disco", node, "starttls", "Xmpp:C2sPort", "alice", "pw-alice");
        Assert.Equal(ServerFeatures.For(registration: false).Order(StringComparer.Ordinal), Strings(result, "features"));
        Assert.Equal("server", result.GetProperty("identities")[0][0].GetString());
        Assert.Equal("EdgeNode", result.GetProperty("version_name").GetString());
        Assert.True(result.GetProperty("ping").GetBoolean());
    }

    [Fact]
    public async Task Slixmpp_VCardSetThenGet_ReturnsIt()
    {
        await using var node = await StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        var result = await RunAsync("vcard", node, "starttls", "Xmpp:C2sPort", "alice", "pw-alice", "bob", "pw-bob");
        Assert.Equal("Alice Liddell", result.GetProperty("own_fn").GetString());
        Assert.Equal("Alice Liddell", result.GetProperty("other_fn").GetString());
    }

    [Fact]
    public async Task Slixmpp_WrongPassword_FailsWithNotAuthorized()
    {
        await using var node = await StartWithUsersAsync(("alice", "pw-alice"));
        var result = await RunAsync("wrongpw", node, "starttls", "Xmpp:C2sPort", "alice", "not-her-password");
        Assert.False(result.GetProperty("logged_in").GetBoolean());
        Assert.Equal("not-authorized", result.GetProperty("condition").GetString());
    }

    [Fact]
    public async Task Aioxmpp_TwoUsers_ChatBothWaysAndReadDisco()
    {
        await using var node = await StartWithUsersAsync(("alice", "pw-alice"), ("bob", "pw-bob"));
        Peer.Require(Peer.Python, "python3");
        var run = await Peer.PythonAsync("Xmpp/xmpp_aioxmpp.py",
            [node.Address, node.Port("Xmpp:C2sPort").ToString(System.Globalization.CultureInfo.InvariantCulture), node.Domain, "alice", "pw-alice", "bob", "pw-bob"], ClientTime);
        var result = Parse(run, "python3-aioxmpp");
        Assert.Equal(["alice@localhost", "hello from aioxmpp a"], Strings(result, "b_received"));
        Assert.Equal(["bob@localhost", "hello from aioxmpp b"], Strings(result, "a_received"));
        Assert.Equal(ServerFeatures.For(registration: false).Order(StringComparer.Ordinal), Strings(result, "features"));
    }

    internal static async Task<TestNode> StartWithUsersAsync(params (string User, string Password)[] users)
    {
        var node = await TestNode.StartAsync();
        foreach (var (user, password) in users) await node.AddUserAsync(user, password);
        return node;
    }

    private static async Task<JsonElement> RunAsync(string scenario, TestNode node, string mode, string portKey, params string[] accounts)
    {
        var run = await Peer.PythonAsync("Xmpp/xmpp_slixmpp.py",
            [scenario, node.Address, node.Port(portKey).ToString(System.Globalization.CultureInfo.InvariantCulture), mode, node.Domain, .. accounts], ClientTime);
        return Parse(run, "python3-slixmpp");
    }

    private static JsonElement Parse(PeerResult run, string package)
    {
        Assert.True(run.ExitCode == 0, $"the client failed (package {package}): {run}");
        string line = run.Out.Trim().Split('\n')[^1];
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static string[] Strings(JsonElement result, string name) =>
        result.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();
}
