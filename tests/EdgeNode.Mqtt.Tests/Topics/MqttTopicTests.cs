using System.Text;
using EdgeNode.Mqtt.Topics;

namespace EdgeNode.Mqtt.Tests.Topics;

public class MqttTopicTests
{
    [Theory]
    [InlineData("sport/tennis/player1", true)]
    [InlineData("/", true)]
    [InlineData("a//b", true)]
    [InlineData("$SYS/broker", true)]
    [InlineData("", false)]
    [InlineData("sport/+", false)]
    [InlineData("sport/#", false)]
    [InlineData("a\0b", false)]
    public void IsValidTopicName_Cases_MatchSpecification(string topic, bool valid)
    {
        Assert.Equal(valid, MqttTopic.IsValidTopicName(Encoding.UTF8.GetBytes(topic)));
    }

    [Theory]
    [InlineData("sport/tennis/player1/#", true)]
    [InlineData("sport/#", true)]
    [InlineData("#", true)]
    [InlineData("+", true)]
    [InlineData("+/tennis/#", true)]
    [InlineData("sport/+/player1", true)]
    [InlineData("/+", true)]
    [InlineData("+/+", true)]
    [InlineData("a//b", true)]
    [InlineData("$share/group/sport/#", true)]
    [InlineData("sport/tennis#", false)]
    [InlineData("sport/tennis/#/ranking", false)]
    [InlineData("sport+", false)]
    [InlineData("#/a", false)]
    [InlineData("", false)]
    [InlineData("$share/group", false)]
    [InlineData("$share//a", false)]
    [InlineData("$share/gr+oup/a", false)]
    [InlineData("$share/group/", false)]
    public void IsValidTopicFilter_Cases_MatchSpecification(string filter, bool valid)
    {
        Assert.Equal(valid, MqttTopic.IsValidTopicFilter(Encoding.UTF8.GetBytes(filter)));
    }

    [Fact]
    public void IsValidTopicName_Over65535Bytes_IsInvalid()
    {
        byte[] topic = new byte[65536];
        topic.AsSpan().Fill((byte)'a');
        Assert.False(MqttTopic.IsValidTopicName(topic));
        Assert.True(MqttTopic.IsValidTopicName(topic.AsSpan(0, 65535)));
    }

    [Fact]
    public void TryParseShared_ValidShare_SplitsNameAndFilter()
    {
        Assert.True(MqttTopic.TryParseShared("$share/consumer1/sport/tennis/+"u8, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> filter));
        Assert.Equal("consumer1", Encoding.UTF8.GetString(name));
        Assert.Equal("sport/tennis/+", Encoding.UTF8.GetString(filter));
        Assert.False(MqttTopic.TryParseShared("sport/tennis"u8, out _, out _));
    }
}
