using System.Text;
using EdgeNode.Core.Configuration;
using EdgeNode.Devices;
using EdgeNode.Mqtt.Auth;

namespace EdgeNode.Devices.Wiring;

/// <summary>
/// The device conventions' view of the embedded broker's access rules: the same templates (Mqtt:DeviceTopics) and
/// admin grants (`edgenode device allow`, claims) the broker applies at CONNECT, read when discovery or a command asks.
/// The connection's client id is not known here, so templates naming it count for nothing.
/// </summary>
internal sealed class BrokerTopicAccess(MqttDeviceStore devices, MqttOptions options) : IDeviceTopicAccess
{
    public bool IsDeviceAccount(string name) => name.Length <= MqttDeviceStore.MaxNameLength && devices.Exists(name);

    public bool MayPublish(string account, string topic) => AccessOf(account).MayPublish(Encoding.UTF8.GetBytes(topic));

    public bool MaySubscribe(string account, string topic) => AccessOf(account).MaySubscribe(Encoding.UTF8.GetBytes(topic));

    private MqttAccess AccessOf(string account) =>
        MqttAccess.ForDevice(account, null, options.DeviceTopics, options.DeviceSubscribeTopics, [], devices.Grants(account));
}
