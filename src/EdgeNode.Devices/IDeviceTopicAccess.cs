namespace EdgeNode.Devices;

/// <summary>
/// The broker's access rules as the device conventions need them. Discovery names MQTT topics in its payload; the node
/// reads and commands a discovered device only on topics the announcing device account could use itself, so a device
/// cannot make the node publish where it may not (a confused deputy).
/// </summary>
public interface IDeviceTopicAccess
{
    /// <summary>True when <paramref name="name"/> is a device account of the broker (restricted to its own topics).</summary>
    bool IsDeviceAccount(string name);

    bool MayPublish(string account, string topic);

    bool MaySubscribe(string account, string topic);
}
