using EdgeNode.Core.Addressing;

namespace EdgeNode.Core.Tests.Addressing;

public class ClientAddressTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("::ffff:10.0.0.1", "10.0.0.1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    [InlineData("not an address", "not an address")]
    public void Key_GroupsAHostsAddresses(string address, string expected) =>
        Assert.Equal(expected, ClientAddress.Key(address));
}
