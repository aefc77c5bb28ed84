using System.Text;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Mqtt.Auth;
using EdgeNode.Mqtt.Storage;

namespace EdgeNode.Mqtt.Tests.Auth;

/// <summary>The default device access lets stock firmware do what it does at every connect, and no more.</summary>
public class MqttAccessTests
{
    private static MqttAccess Stock(string device, string? clientId, params (MqttAccessKind, string)[] grants) =>
        MqttAccess.ForDevice(device, clientId, MqttOptions.DefaultDeviceTopics, MqttOptions.DefaultDeviceSubscribeTopics,
            MqttOptions.DefaultDeviceClaimTopics, grants);

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("cmnd/plug1/#")]
    [InlineData("cmnd/tasmotas/#")]
    [InlineData("cmnd/DVES_4F2A1C_fb/#")]
    [InlineData("homeassistant/status")]
    [InlineData("esphome/discover")]
    [InlineData("esphome/ping/plug1")]
    [InlineData("homie/5/$broadcast/#")]
    public void MaySubscribe_StockFirmwareSubscriptions_Allowed(string filter) =>
        Assert.True(Stock("plug1", "DVES_4F2A1C").MaySubscribe(B(filter)));

    [Theory]
    [InlineData("cmnd/plug2/#")]
    [InlineData("cmnd/DVES_000001_fb/#")]
    [InlineData("esphome/ping/plug2")]
    [InlineData("tasmota/discovery/#")]
    [InlineData("homeassistant/#")]
    public void MaySubscribe_OtherDevicesTopics_Refused(string filter) =>
        Assert.False(Stock("plug1", "DVES_4F2A1C").MaySubscribe(B(filter)));

    [Theory]
    [InlineData("cmnd/tasmotas/POWER")]
    [InlineData("cmnd/DVES_4F2A1C_fb/POWER")]
    [InlineData("homeassistant/status")]
    [InlineData("esphome/discover")]
    [InlineData("tasmota/discovery/A4CF12345678/config")]
    public void MayPublish_SubscribeOnlyAndUnclaimed_Refused(string topic) =>
        Assert.False(Stock("plug1", "DVES_4F2A1C").MayPublish(B(topic)));

    [Fact]
    public void MayPublish_OwnEspHomeDeviceInfo_Allowed()
    {
        Assert.True(Stock("livingroom-sensor", "livingroom-sensor-a4cf12345678").MayPublish(B("esphome/discover/livingroom-sensor")));
        Assert.False(Stock("livingroom-sensor", "x").MayPublish(B("esphome/discover/kitchen")));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("")]
    public void ForDevice_ClientIdThatCannotBeALevel_GetsNoFallbackTopic(string clientId)
    {
        var access = Stock("plug1", clientId);

        Assert.False(access.MaySubscribe(B("cmnd/a/b_fb/#")));
        Assert.False(access.MaySubscribe(B("cmnd/+_fb/#")));
        Assert.False(access.MaySubscribe(B("cmnd/#")));
        Assert.True(access.MaySubscribe(B("cmnd/plug1/#")));
    }

    [Fact]
    public void ClaimFor_TasmotaDiscovery_NamesTheMacLevel()
    {
        var access = Stock("plug1", "DVES_4F2A1C");

        Assert.Equal("tasmota/discovery/A4CF12345678/#", access.ClaimFor(B("tasmota/discovery/A4CF12345678/config")));
        Assert.Null(access.ClaimFor(B("tele/plug2/STATE")));
        Assert.Null(MqttAccess.Everything.ClaimFor(B("tasmota/discovery/A4CF12345678/config")));
    }

    [Fact]
    public void TryClaim_FirstAccountKeepsTheMac_OthersAreRefused()
    {
        string dir = Directory.CreateTempSubdirectory("edgenode-mqtt-claim-").FullName;
        try
        {
            using var store = Store.Open(dir, MqttMigrations.Set);
            var devices = new MqttDeviceStore(store);
            devices.Add("plug1", "pw-plug1-device", iterations: 4096);
            devices.Add("evil", "pw-evil-device", iterations: 4096);

            Assert.True(devices.TryClaim("plug1", "tasmota/discovery/A4CF12345678/#"));
            Assert.True(devices.TryClaim("plug1", "tasmota/discovery/A4CF12345678/#"));
            Assert.False(devices.TryClaim("evil", "tasmota/discovery/A4CF12345678/#"));
            Assert.False(devices.TryClaim("nobody", "tasmota/discovery/000000000000/#"));

            // The claim is an ordinary grant: it survives a reconnect and `device disallow` takes it back.
            var access = MqttAccess.ForDevice("plug1", "DVES_4F2A1C", MqttOptions.DefaultDeviceTopics, MqttOptions.DefaultDeviceSubscribeTopics,
                MqttOptions.DefaultDeviceClaimTopics, devices.Grants("plug1"));
            Assert.True(access.MayPublish(B("tasmota/discovery/A4CF12345678/sensors")));
            Assert.True(devices.Disallow("plug1", MqttAccessKind.Publish, "tasmota/discovery/A4CF12345678/#"));
            Assert.True(devices.TryClaim("evil", "tasmota/discovery/A4CF12345678/#"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
