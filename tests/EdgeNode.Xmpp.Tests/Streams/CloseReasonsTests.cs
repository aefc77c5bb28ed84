using EdgeNode.Xmpp.Streams;

namespace EdgeNode.Xmpp.Tests.Streams;

public class CloseReasonsTests
{
    [Fact]
    public void Describe_EveryReason_ConnectionLostOnlyWhenThePeerVanished()
    {
        foreach (var reason in Enum.GetValues<CloseReason>().Where(r => r != CloseReason.None))
        {
            string text = CloseReasons.Describe(reason);
            Assert.NotEqual(reason.ToString(), text);
            Assert.Equal(reason == CloseReason.PeerClosed, text == "connection lost");
        }
        foreach (var reason in new[] { CloseReason.Replaced, CloseReason.Overflow, CloseReason.Shutdown, CloseReason.NegotiationTimeout, CloseReason.StanzaTimeout, CloseReason.Dead, CloseReason.AccountRemoved, CloseReason.StreamError })
            Assert.StartsWith("closed by the node: ", CloseReasons.Describe(reason), StringComparison.Ordinal);
    }
}
