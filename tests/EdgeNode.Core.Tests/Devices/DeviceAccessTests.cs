using EdgeNode.Core.Addressing;
using EdgeNode.Core.Devices;

namespace EdgeNode.Core.Tests.Devices;

public class DeviceAccessTests
{
    private const string Domain = "pi.example";
    private static readonly DeviceAccess Access = new(
        [Jid.Parse("alice@pi.example"), Jid.Parse("remote-owner@other.example")],
        [Jid.Parse("bob@pi.example"), Jid.Parse("carol@other.example")],
        [Jid.Parse("dave@other.example")]);

    [Theory]
    [InlineData("alice@pi.example/phone", DeviceAccessLevel.Command)]
    [InlineData("bob@pi.example", DeviceAccessLevel.Read)]
    [InlineData("carol@other.example", DeviceAccessLevel.Read)]
    [InlineData("dave@other.example/laptop", DeviceAccessLevel.Command)]
    [InlineData("remote-owner@other.example", DeviceAccessLevel.Read)]
    [InlineData("mallory@pi.example", DeviceAccessLevel.None)]
    [InlineData("alice@other.example", DeviceAccessLevel.None)]
    public void LevelFor_Requester_FollowsListsAndLocality(string requester, DeviceAccessLevel expected)
    {
        Assert.Equal(expected, Access.LevelFor(Jid.Parse(requester), Domain));
    }

    [Fact]
    public void CanCommand_RemoteUserNotListed_IsRefused()
    {
        Assert.False(DeviceAccess.OwnedBy([Jid.Parse("alice@pi.example")]).CanCommand(Jid.Parse("eve@evil.example"), Domain));
        Assert.False(DeviceAccess.OwnedBy([Jid.Parse("alice@pi.example")]).CanRead(Jid.Parse("eve@evil.example"), Domain));
    }
}
