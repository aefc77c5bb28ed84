namespace EdgeNode.Devices.Tests;

public class TopicFilterTests
{
    [Theory]
    [InlineData("tele/+/+", "tele/plug1/STATE", true)]
    [InlineData("tele/+/+", "tele/plug1", false)]
    [InlineData("zigbee2mqtt/#", "zigbee2mqtt", true)]
    [InlineData("zigbee2mqtt/#", "zigbee2mqtt/Living Room/availability", true)]
    [InlineData("+/status", "node/status", true)]
    [InlineData("+/status", "$SYS/status", false)]
    [InlineData("a/+", "a/", true)]
    [InlineData("a/b", "a/b/c", false)]
    public void Matches_Filters_FollowMqttRules(string filter, string topic, bool expected)
    {
        Assert.Equal(expected, TopicFilter.Matches(filter, topic));
    }
}
