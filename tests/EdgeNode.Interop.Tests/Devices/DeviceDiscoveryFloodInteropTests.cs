using System.Globalization;
using EdgeNode.Interop.Tests.Support;
using Xunit.Abstractions;

namespace EdgeNode.Interop.Tests.Devices;

/// <summary>
/// Issue 14's discovery flood against a node in its own process: a granted bridge (paho-mqtt) announces 2000 Home
/// Assistant devices and then keeps deleting and announcing them. Users unrelated to it are served within 2 s
/// meanwhile, and what the node acknowledged survives a SIGKILL taken mid-flood.
/// </summary>
public sealed class DeviceDiscoveryFloodInteropTests(ITestOutputHelper output)
{
    private const string Bridge = "habridge";
    private const string Password = "correct horse battery";

    [Fact]
    public async Task SigKill_MidDiscoveryFlood_OthersServedWithinTwoSecondsAndAcknowledgedDataKept()
    {
        // The devices' owner is an account of its own: every admitted device reaches its roster, so the flood costs
        // the node real work, and the witnesses are strangers to it.
        await using var node = await NodeProcess.StartAsync("localhost", async n =>
        {
            await n.VerbAsync(Password + "\n", "user", "add", "owner@localhost");
            await n.VerbAsync(Password + "\n", "device", "add", Bridge);
            await n.VerbAsync("", "device", "allow", Bridge, "publish", "homeassistant/#");
            await AttackWitness.AddAccountsAsync(n);
        }, "--Node:Admins=owner@localhost");
        using var witness = await AttackWitness.PrepareAsync(node);
        await using var flood = Peer.Start(Peer.Require(Peer.Python, "python3"),
            [Path.Combine(AppContext.BaseDirectory, "Devices/scripts/paho_discovery_flood.py"), "127.0.0.1",
             node.Port("Mqtt:Port").ToString(CultureInfo.InvariantCulture), Bridge, Password, "2000"]);

        // All 2000 configs are handed to paho (100 in flight): the node is admitting the first 500 and refusing the rest
        // while the witnesses are served; after the last PUBACK the flood goes on (delete, announce again).
        await AttackWitness.WaitForAttackerAsync(flood, "SENT");
        await witness.ServedDuringAttackAsync();
        Assert.False(flood.HasExited, $"the flood ended before the kill ({witness.Timings}):\n{flood.Out}\n{flood.Error}");
        output.WriteLine($"{witness.Timings}; the flood at the kill: {flood.Out.ReplaceLineEndings(" | ")}");

        await node.KillAsync();
        flood.Kill();
        await node.RestartAsync();
        await witness.KeptAfterRestartAsync();
    }
}
