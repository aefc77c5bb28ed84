using System.Net.Sockets;
using EdgeNode.Interop.Tests.Support;

namespace EdgeNode.Interop.Tests;

/// <summary>The harness itself: a node starts, takes accounts through the CLI verb, and stops cleanly.</summary>
public class NodeSmokeTests
{
    [Fact]
    public async Task TestNode_StartsAddsUserAndStops()
    {
        await using var node = await TestNode.StartAsync();
        await node.AddUserAsync("alice", "pw-alice");
        var (code, output, _) = await node.VerbAsync("", "user", "list");
        Assert.Equal(0, code);
        Assert.Contains("alice@localhost", output);
        using var client = new TcpClient();
        await client.ConnectAsync(node.Address, node.Port("Mqtt:Port"));
    }

    [Fact]
    public async Task Peer_MissingProgram_FailsNamingThePackage()
    {
        var e = Assert.ThrowsAny<Exception>(() => Peer.Require("edgenode-no-such-peer", "no-such-package"));
        Assert.Contains("install the package 'no-such-package'", e.Message);
        var python = await Peer.RunAsync(Peer.Require(Peer.Python, "python3"), ["-c", "print('hi')"], TimeSpan.FromSeconds(20));
        Assert.Equal(0, python.ExitCode);
        Assert.Equal("hi", python.Out.Trim());
    }
}
