using EdgeNode.Core.Devices;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.ClientApi.Handlers;
using EdgeNode.Matrix.Tests.Rooms;

namespace EdgeNode.Matrix.Tests.ClientApi;

public class RegistrationTests
{
    [Fact]
    public void RequireNotDevice_DeviceAddress_UserInUse()
    {
        var devices = new DeviceRegistry(_ => false);
        devices.Ensure(new DeviceKey(DeviceConvention.Gpio, "porch"), "Porch");
        using var hs = new TestHomeserver(devices: devices);

        var e = Assert.Throws<MatrixException>(() => AuthHandlers.RequireNotDevice(hs.Server, "porch"));

        Assert.Equal((400, "M_USER_IN_USE"), (e.Status, e.ErrCode));
        AuthHandlers.RequireNotDevice(hs.Server, "alice");
    }

    [Fact]
    public void RequireNotDevice_NoRegistry_EveryNameFree()
    {
        using var hs = new TestHomeserver();
        AuthHandlers.RequireNotDevice(hs.Server, "porch");
        Assert.False(hs.Server.IsDeviceLocalpart("porch"));
    }
}
