using System.Text;
using EdgeNode.Core.Devices;

namespace EdgeNode.Devices.Tests;

/// <summary>Malformed and hostile traffic never throws out of an adapter and never corrupts the registry.</summary>
public class HostilePayloadTests
{
    private static DeviceGateway AllAdapters(DeviceRegistry registry, ListLogger log) => new(
    [
        new TasmotaAdapter(registry, log), new Zigbee2MqttAdapter(registry, log), new ShellyGen2Adapter(registry, log),
        new HomieAdapter(registry, log), new HaDiscoveryAdapter(registry, log), new EspHomeAdapter(registry, log),
    ], log);

    public static TheoryData<string, string> Hostile => new()
    {
        { "tele/plug1/STATE", "{not json" },
        { "tele/plug1/SENSOR", "[1,2,3]" },
        { "tele/plug1/STATE", """{"POWER":{"nested":true},"Dimmer":"bright"}""" },
        { "tele/plug1/LWT", "maybe" },
        { "stat/plug1/POWER", "\u0000\u0001" },
        { "zigbee2mqtt/bridge/devices", """{"not":"an array"}""" },
        { "zigbee2mqtt/bridge/devices", """[{"ieee_address":42,"friendly_name":null},"x",[]]""" },
        { "zigbee2mqtt/lamp", "\"just a string\"" },
        { "zigbee2mqtt/lamp/availability", """{"state":17}""" },
        { "shelly1/events/rpc", """{"method":"NotifyStatus","params":{"switch:0":"yes","switch:x":{}}}""" },
        { "shelly1/online", "perhaps" },
        { "homie/5/dev/$description", """{"nodes":{"n":{"properties":{"p":{"datatype":[],"settable":"yes"}}}}}""" },
        { "homie/dev/$state", "exploded" },
        { "homeassistant/light/x/config", """{"stat_t":17,"dev":{"ids":[]},"bri_scl":-4,"avty":"nope"}""" },
        { "homeassistant/device/y/config", """{"cmps":[1,2]}""" },
        { "homeassistant/sensor/z/config", "\uFEFF\uFFFE" },
        { "x/sensor/y/state", "NaN" },
        { "tele/plug\u00e9 \u202e/STATE", """{"POWER":"ON"}""" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Handle_HostilePayload_NeverThrowsAndKeepsRegistrySound(string topic, string payload)
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(_ => false);
        var gateway = AllAdapters(registry, log);

        var exception = Record.Exception(() => gateway.Handle(topic, Encoding.UTF8.GetBytes(payload), retained: true));

        Assert.Null(exception);
        Assert.DoesNotContain(log.Entries, e => e.Id.Id == DeviceEventIds.AdapterFailed);
        Assert.All(registry.All, d => Assert.Matches("^[a-z0-9._-]+$", d.Localpart));
    }

    // Found by fuzzing (tests/fuzz, device-* targets): JSON whose strings are not valid UTF-8 parsed, and the first
    // helper to read such a string threw InvalidOperationException, reported as an adapter failure.
    public static TheoryData<string, string> InvalidUtf8 => new()
    {
        { "tele/plug1/STATE", "7B22504F574552223A224FC7227D" },                        // {"POWER":"O\xC7"}
        { "tele/plug1/SENSOR", "7B22454E45524759223A7B22506F776572223A22C7227D7D" },   // {"ENERGY":{"Power":"\xC7"}}
        { "stat/plug1/RESULT", "7B22504F574552223A22C7227D" },                         // {"POWER":"\xC7"}
        { "zigbee2mqtt/bridge/devices", "5B7B22696565655F61646472657373223A2230783031222C22667269656E646C795F6E616D65223A226CC7227D5D" },
        { "homeassistant/sensor/x/config", "7B226E616D65223A22C7222C2273746174655F746F706963223A22782F79227D" },
        { "shelly1/events/rpc", "7B22737263223A22C7222C226D6574686F64223A224E6F74696679537461747573227D" },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Handle_JsonWithInvalidUtf8_IsIgnoredAsMalformed(string topic, string payloadHex)
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(_ => false);

        int understood = AllAdapters(registry, log).Handle(topic, Convert.FromHexString(payloadHex), retained: false);

        Assert.Equal(0, understood);
        Assert.DoesNotContain(log.Entries, e => e.Id.Id == DeviceEventIds.AdapterFailed);
        Assert.Empty(registry.All);
    }

    // Found by fuzzing (tests/fuzz, device-homeassistant and device-esphome): the topic "homeassistant/config" both
    // starts with "homeassistant/" and ends with "/config", and cutting out the part between threw ArgumentOutOfRangeException.
    [Theory]
    [InlineData("homeassistant/config")]
    [InlineData("homeassistant//config")]
    public void Handle_DiscoveryPrefixAndSuffixOverlap_IsIgnoredWithoutFailure(string topic)
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(_ => false);

        int understood = AllAdapters(registry, log).Handle(topic, """{"name":"x","stat_t":"a/b"}"""u8.ToArray(), retained: false);

        Assert.Equal(0, understood);
        Assert.DoesNotContain(log.Entries, e => e.Id.Id == DeviceEventIds.AdapterFailed);
        Assert.Empty(registry.All);
    }

    [Fact]
    public void Handle_InvalidJson_IsIgnoredWithLogLine()
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(_ => false);

        AllAdapters(registry, log).Handle("tele/plug1/STATE", "{\"POWER\":"u8.ToArray(), false);

        Assert.Contains(log.Entries, e => e.Id.Id == DeviceEventIds.PayloadIgnored && e.Message.Contains("tele/plug1/STATE"));
        Assert.Empty(registry.All);
    }

    [Fact]
    public void Handle_HugePayload_IsRejectedBeforeParsing()
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(_ => false);
        var huge = Encoding.UTF8.GetBytes("{\"POWER\":\"ON\",\"x\":\"" + new string('a', 2 * 1024 * 1024) + "\"}");

        AllAdapters(registry, log).Handle("tele/plug1/STATE", huge, false);

        Assert.Contains(log.Entries, e => e.Id.Id == DeviceEventIds.PayloadTooLarge);
        Assert.Empty(registry.All);
    }

    [Fact]
    public void Handle_DeepNesting_IsIgnoredWithoutStackTrouble()
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(_ => false);
        var deep = new string('[', 5000) + new string(']', 5000);

        AllAdapters(registry, log).Handle("zigbee2mqtt/bridge/devices", Encoding.UTF8.GetBytes(deep), true);
        AllAdapters(registry, log).Handle("tele/plug1/SENSOR", Encoding.UTF8.GetBytes("{\"a\":" + deep + "}"), true);

        Assert.Equal(2, log.Entries.Count(e => e.Id.Id == DeviceEventIds.PayloadIgnored));
        Assert.Empty(registry.All);
    }

    [Theory]
    [InlineData("tele/+/STATE")]
    [InlineData("tele/#")]
    [InlineData("")]
    [InlineData("tele/plug\u0000/STATE")]
    public void Handle_InvalidTopicName_IsRejected(string topic)
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(_ => false);

        Assert.Equal(0, AllAdapters(registry, log).Handle(topic, "{\"POWER\":\"ON\"}"u8.ToArray(), false));

        Assert.Contains(log.Entries, e => e.Id.Id == DeviceEventIds.TopicRejected);
        Assert.Empty(registry.All);
    }

    [Fact]
    public void Handle_BadMessageBetweenGoodOnes_LeavesDeviceStateIntact()
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(_ => false);
        var gateway = AllAdapters(registry, log);
        gateway.Handle("stat/plug1/POWER", "ON"u8.ToArray(), false);

        gateway.Handle("stat/plug1/RESULT", "{\"POWER\":"u8.ToArray(), false);
        gateway.Handle("stat/plug1/POWER", "BANANA"u8.ToArray(), false);

        var plug = Assert.Single(registry.All);
        Assert.Equal(true, plug.ReadingOf("power")!.Value.Flag);
    }

    [Fact]
    public void Ensure_DeviceNamedLikeUser_IsReportedAsClashAndRenamed()
    {
        var log = new ListLogger();
        var registry = new DeviceRegistry(local => local == "alice");
        var gateway = AllAdapters(registry, log);

        gateway.Handle("tele/alice/LWT", "Online"u8.ToArray(), true);

        var clash = Assert.Single(registry.UserClashes());
        Assert.Equal(("alice-device", "alice"), (clash.Localpart, clash.PreferredLocalpart));
    }
}
