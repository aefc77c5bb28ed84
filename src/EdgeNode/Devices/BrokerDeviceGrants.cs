using System.Text;
using EdgeNode.Core.Topics;
using EdgeNode.Mqtt.Auth;
using EdgeNode.Mqtt.Topics;

namespace EdgeNode.Devices.Wiring;

/// <summary>
/// The broker's device accounts as the node participant changes their grants: the same store and the same rules as
/// `edgenode device allow` and `disallow`.
/// </summary>
internal sealed class BrokerDeviceGrants(MqttDeviceStore devices) : IDeviceAccountGrants
{
    public string? NameProblem(string name) =>
        MqttDeviceStore.IsValidName(name, out var problem) ? null : problem ?? "not a device account name";

    public bool IsGrantable(string filter)
    {
        var bytes = Encoding.UTF8.GetBytes(filter);
        return MqttTopic.IsValidTopicFilter(bytes) && !MqttTopic.IsShared(bytes);
    }

    public GrantChange Change(string account, TopicDirection direction, string filter, bool allow)
    {
        var kind = direction == TopicDirection.Publish ? MqttAccessKind.Publish : MqttAccessKind.Subscribe;
        try
        {
            var changed = allow ? devices.Allow(account, kind, filter) : devices.Disallow(account, kind, filter);
            return changed ? GrantChange.Changed : GrantChange.Unchanged;
        }
        catch (DeviceNotFoundException)
        {
            return GrantChange.NoSuchAccount;
        }
    }
}
