using System.Text;

namespace EdgeNode.Devices;

/// <summary>
/// An MQTT message an adapter wants published. Commands are never retained: a retained command would be replayed
/// to the device at every reconnect, switching it back long after the user's intent.
/// </summary>
public sealed record MqttPublication(string Topic, byte[] Payload, byte Qos)
{
    public bool Retain => false;

    public string PayloadText => Encoding.UTF8.GetString(Payload);

    /// <summary>
    /// QoS 1 for commands that can be repeated safely (on, off, set); QoS 0 for toggle and press, so that a
    /// redelivery after a reconnect cannot undo or repeat the action.
    /// </summary>
    public static MqttPublication Command(string topic, string payload, bool idempotent = true) =>
        new(topic, Encoding.UTF8.GetBytes(payload), idempotent ? (byte)1 : (byte)0);
}
