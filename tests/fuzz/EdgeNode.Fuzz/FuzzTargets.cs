using EdgeNode.Devices;
using EdgeNode.Fuzz.Targets;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Fuzz;

/// <summary>
/// Every target by name; tests/fuzz/corpus/NAME holds its seeds. Each is made on first use: code of an instrumented
/// assembly must not run before SharpFuzz has attached to afl-fuzz's coverage map (it would write through a null map).
/// </summary>
internal static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Func<FuzzTarget>> All { get; } = new SortedDictionary<string, Func<FuzzTarget>>(StringComparer.Ordinal)
    {
        ["xmpp-stream"] = () => XmppStreamTarget.Target,
        ["xmpp-jid"] = () => JidTarget.Target,
        ["xmpp-scram"] = () => ScramTarget.Target,
        ["mqtt-packet-v311"] = () => MqttPacketTarget.For(MqttProtocolVersion.V311),
        ["mqtt-packet-v5"] = () => MqttPacketTarget.For(MqttProtocolVersion.V500),
        ["mqtt-topic"] = () => MqttTopicTarget.Target,
        ["matrix-canonical-json"] = () => CanonicalJsonTarget.Target,
        ["matrix-event"] = () => MatrixEventTarget.Target,
        ["matrix-user-id"] = () => MatrixIdTarget.Target,
        ["dns-response"] = () => DnsTarget.Target,
        ["acme-response"] = () => AcmeResponseTarget.Target,
        ["device-tasmota"] = () => DeviceTarget.For((registry, logger) => new TasmotaAdapter(registry, logger)),
        ["device-esphome"] = () => DeviceTarget.For((registry, logger) => new EspHomeAdapter(registry, logger)),
        ["device-zigbee2mqtt"] = () => DeviceTarget.For((registry, logger) => new Zigbee2MqttAdapter(registry, logger)),
        ["device-homie"] = () => DeviceTarget.For((registry, logger) => new HomieAdapter(registry, logger)),
        ["device-homeassistant"] = () => DeviceTarget.For((registry, logger) => new HaDiscoveryAdapter(registry, logger, leaveEspHomeToItsAdapter: false)),
        ["device-shelly"] = () => DeviceTarget.For((registry, logger) => new ShellyGen2Adapter(registry, logger)),
        ["device-value-template"] = () => ValueTemplateTarget.Target,
        ["config"] = () => ConfigTarget.Target,
    };
}
