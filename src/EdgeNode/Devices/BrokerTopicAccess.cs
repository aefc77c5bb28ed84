using System.Text;
using EdgeNode.Devices;
using EdgeNode.Mqtt.Auth;

namespace EdgeNode.Devices.Wiring;

/// <summary>
/// The device conventions' view of the embedded broker's access rules: the same templates (Mqtt:DeviceTopics) and
/// admin grants (`edgenode device allow`) the broker applies at CONNECT, read when discovery or a command asks.
/// </summary>
internal sealed class BrokerTopicAccess(MqttDeviceStore devices, IReadOnlyList<string> templates) : IDeviceTopicAccess
{
    public bool IsDeviceAccount(string name) => name.Length <= MqttDeviceStore.MaxNameLength && devices.Exists(name);

    public bool MayPublish(string account, string topic) => AccessOf(account).MayPublish(Encoding.UTF8.GetBytes(topic));

    public bool MaySubscribe(string account, string topic) => AccessOf(account).MaySubscribe(Encoding.UTF8.GetBytes(topic));

    private MqttAccess AccessOf(string account) => MqttAccess.ForDevice(account, templates, devices.Grants(account));
}
