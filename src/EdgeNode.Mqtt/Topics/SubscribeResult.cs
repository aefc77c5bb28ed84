namespace EdgeNode.Mqtt.Topics;

public enum SubscribeResult
{
    Added,

    /// <summary>The subscriber already had this filter; its options were replaced (MQTT-3.8.4-3).</summary>
    Replaced,

    /// <summary>The filter breaks the syntax or is deeper than the tree allows; SUBACK 0x8F.</summary>
    InvalidFilter,
}
