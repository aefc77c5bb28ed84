using static EdgeNode.Interop.Tests.Bridge.BridgeScenario;

namespace EdgeNode.Interop.Tests.Bridge;

/// <summary>
/// Issue 17, hostile input across the bridge: a 60 KB Matrix body reaches XMPP whole, characters XML 1.0 forbids
/// arrive as U+FFFD, and an XMPP body too large for a Matrix event is refused with <c>not-acceptable</c> to its sender
/// and posted nowhere, while the conversations go on.
/// </summary>
public class XmppMatrixHostileInputTests
{
    [Fact]
    public async Task SixtyKilobyteAndControlCharacterBodies_ReachXmppEscaped_TooLargeXmppBodyRefused_OthersKeepFlowing()
    {
        await using var node = await StartNodeAsync();
        var r = await RunAsync(node, "hostile");

        Assert.Equal(61440, r.At("big_length").GetInt32());
        Assert.True(r.At("big_equal").GetBoolean(), "the 60 KB body arrived changed");
        Assert.Equal("controls:\uFFFD\uFFFD\uFFFD\uFFFD|\uFFFD|\uFFFD|tab\tnewline\nend", r.Str("controls"));

        var refusal = r.At("refusal");
        Assert.Equal("error", refusal.Str("type"));
        Assert.Equal("modify", refusal.Str("error", "type"));
        Assert.Contains("not-acceptable", refusal.Strings("error", "conditions"));
        Assert.False(string.IsNullOrWhiteSpace(refusal.Str("error", "text")), "the refusal has no text");
        // Nothing of the refused message is in the room; the conversations went on (the scenario waited for them).
        Assert.DoesNotContain(r.At("bob_room_lengths").EnumerateArray(), l => l.GetInt32() >= 65536);
        Assert.True(r.At("flowing").GetBoolean());
    }
}
