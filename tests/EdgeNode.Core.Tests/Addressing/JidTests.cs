using EdgeNode.Core.Addressing;

namespace EdgeNode.Core.Tests.Addressing;

public class JidTests
{
    [Theory]
    [InlineData("Alice@Pi.Example/Phone", "alice", "pi.example", "Phone")]
    [InlineData("pi.example", null, "pi.example", null)]
    [InlineData("pi.example/res/with/slashes", null, "pi.example", "res/with/slashes")]
    [InlineData("plug1@devices.pi.example", "plug1", "devices.pi.example", null)]
    public void TryParse_Valid_SplitsAndFolds(string text, string? local, string domain, string? resource)
    {
        Assert.True(Jid.TryParse(text, out var jid));
        Assert.Equal(local, jid.Local);
        Assert.Equal(domain, jid.Domain);
        Assert.Equal(resource, jid.Resource);
    }

    [Theory]
    [InlineData("@pi.example")]
    [InlineData("a b@pi.example")]
    [InlineData("a'b@pi.example")]
    [InlineData("a@b@pi.example")]
    [InlineData("alice@")]
    [InlineData("alice@pi.example/")]
    [InlineData("alice@pi_example")]
    public void TryParse_Invalid_ExplainsWhy(string text)
    {
        Assert.False(Jid.TryParse(text, out _, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void ToString_RoundTrips() =>
        Assert.Equal("alice@pi.example/phone", Jid.Parse("ALICE@pi.example/phone").ToString());
}
