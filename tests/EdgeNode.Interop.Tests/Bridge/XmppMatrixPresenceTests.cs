using static EdgeNode.Interop.Tests.Bridge.BridgeScenario;

namespace EdgeNode.Interop.Tests.Bridge;

/// <summary>
/// Issue 17, presence: an account's availability is the union of its XMPP sessions and its Matrix presence, shown to
/// XMPP roster subscribers as the extra resource <c>/matrix</c> and to Matrix users who share a room; an XMPP
/// subscription to a Matrix-only person who shares a room with the requester is approved at once.
/// </summary>
public class XmppMatrixPresenceTests
{
    [Fact]
    public async Task Presence_UnionShownBothWays_SubscriptionOfRoomPartnerApproved_StrangerNotShown()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "presence");

        Assert.Contains(r.Str("alice_roster_bob"), new[] { "to", "both" });

        // Matrix -> XMPP: bob's Matrix presence as bob@domain/matrix, with its status text; gone when he goes offline.
        Assert.Equal("at the desk", r.Str("alice_bob_online", "status"));
        Assert.Equal("unavailable", r.Str("alice_bob_offline", "type"));

        // XMPP -> Matrix: alice away with a status is not offline in Matrix; her last session gone is offline.
        Assert.NotEqual("offline", r.Str("bob_sees_alice", "presence"));
        Assert.Equal("lunch", r.Str("bob_sees_alice", "status"));
        Assert.Equal("offline", r.Str("bob_sees_alice_gone", "presence"));

        // carol shares no room with bob: her request is not approved for him and she sees none of his presence.
        Assert.DoesNotContain(r.Items("carol_presences"), p => p.Str("from")!.StartsWith(Jid("bob"), StringComparison.Ordinal)
            && p.Str("type") is "subscribed" or "available");
        Assert.DoesNotContain(r.Str("carol_roster_bob"), new[] { "to", "both" });
    }
}
