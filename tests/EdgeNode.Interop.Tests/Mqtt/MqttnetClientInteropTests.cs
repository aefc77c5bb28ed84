using System.Text;
using EdgeNode.Interop.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>The embedded broker against the MQTTnet 5.2 client, the client a .NET user reaches for, in 3.1.1 and 5.0.</summary>
public class MqttnetClientInteropTests
{
    private const string Device = "plug1";
    private const string Password = "correct horse battery";

    private static MqttApplicationMessage Message(string topic, string payload, MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce, bool retain = false) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build();

    private static string Text(MqttApplicationMessage message) => message.ConvertPayloadToString() ?? "";

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Qos012_EachMessageArrivesAtItsQos(MqttProtocolVersion version)
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        await using var sub = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-sub");
        MqttClientSubscribeResult subscribed = await sub.SubscribeAsync(b => b.WithTopicFilter($"tele/{Device}/#", MqttQualityOfServiceLevel.ExactlyOnce));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS2, Assert.Single(subscribed.Items).ResultCode);
        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-pub");

        foreach (MqttQualityOfServiceLevel qos in new[] { MqttQualityOfServiceLevel.AtMostOnce, MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.ExactlyOnce })
        {
            MqttClientPublishResult published = await pub.PublishAsync(Message($"tele/{Device}/q{(int)qos}", $"m{(int)qos}", qos));
            Assert.True(published.IsSuccess, published.ReasonString);
        }

        IReadOnlyList<MqttApplicationMessage> got = await sub.WaitForAsync(3);
        Assert.Equal([$"tele/{Device}/q0", $"tele/{Device}/q1", $"tele/{Device}/q2"], got.Select(m => m.Topic));
        Assert.Equal(["m0", "m1", "m2"], got.Select(Text));
        Assert.Equal([MqttQualityOfServiceLevel.AtMostOnce, MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.ExactlyOnce], got.Select(m => m.QualityOfServiceLevel));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Retained_LaterSubscriberGetsIt_AndEmptyPayloadDeletesIt(MqttProtocolVersion version)
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-pub");
        Assert.True((await pub.PublishAsync(Message($"stat/{Device}/POWER", "ON", retain: true))).IsSuccess);

        await using var first = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-first");
        await first.SubscribeAsync(b => b.WithTopicFilter($"stat/{Device}/+", MqttQualityOfServiceLevel.AtLeastOnce));
        MqttApplicationMessage retained = Assert.Single(await first.WaitForAsync(1));
        Assert.Equal(("ON", true), (Text(retained), retained.Retain));

        // An empty retained payload deletes it: a later subscriber gets the marker published after, and nothing before it.
        Assert.True((await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"stat/{Device}/POWER").WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).IsSuccess);
        await using var second = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-second");
        await second.SubscribeAsync(b => b.WithTopicFilter($"stat/{Device}/+", MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.True((await pub.PublishAsync(Message($"stat/{Device}/marker", "after"))).IsSuccess);
        MqttApplicationMessage only = Assert.Single(await second.WaitForAsync(1));
        Assert.Equal(("after", false), (Text(only), only.Retain));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Will_ConnectionDroppedWithoutDisconnect_WillDelivered(MqttProtocolVersion version)
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        await using var watcher = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-watcher");
        await watcher.SubscribeAsync(b => b.WithTopicFilter($"tele/{Device}/LWT", MqttQualityOfServiceLevel.AtLeastOnce));
        var device = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-device",
            o => o.WithWillTopic($"tele/{Device}/LWT").WithWillPayload("offline").WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.True((await device.PublishAsync(Message($"tele/{Device}/LWT", "online"))).IsSuccess);
        Assert.Equal("online", Text(Assert.Single(await watcher.WaitForAsync(1))));

        // Disposed without DISCONNECT: the socket just closes, as when a device loses power.
        await device.DisposeAsync();
        IReadOnlyList<MqttApplicationMessage> got = await watcher.WaitForAsync(2);
        Assert.Equal(["online", "offline"], got.Select(Text));
    }

    [Fact]
    public async Task Will_V5DisconnectWithWillMessage_WillDelivered_NormalDisconnectSendsNone()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        await using var watcher = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-watcher");
        await watcher.SubscribeAsync(b => b.WithTopicFilter($"tele/{Device}/+", MqttQualityOfServiceLevel.AtLeastOnce));
        await using var polite = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-polite",
            o => o.WithWillTopic($"tele/{Device}/polite").WithWillPayload("should not be seen"));
        await polite.DisconnectAsync();
        await using var leaving = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-leaving",
            o => o.WithWillTopic($"tele/{Device}/leaving").WithWillPayload("gone"));
        await leaving.DisconnectAsync(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage);

        MqttApplicationMessage will = Assert.Single(await watcher.WaitForAsync(1));
        Assert.Equal(($"tele/{Device}/leaving", "gone"), (will.Topic, Text(will)));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task PersistentSession_MessagesPublishedWhileAway_DeliveredOnReconnect(MqttProtocolVersion version)
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        void Persistent(MqttClientOptionsBuilder o)
        {
            o.WithCleanSession(false);
            if (version == MqttProtocolVersion.V500)
            {
                o.WithSessionExpiryInterval(3600);
            }
        }

        await using (var first = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-keeper", Persistent))
        {
            Assert.False(first.Connected.IsSessionPresent);
            await first.SubscribeAsync(b => b.WithTopicFilter($"cmnd/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce));
            await first.DisconnectAsync();
        }

        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-pub");
        Assert.True((await pub.PublishAsync(Message($"cmnd/{Device}/POWER", "while-away-1"))).IsSuccess);
        Assert.True((await pub.PublishAsync(Message($"cmnd/{Device}/POWER", "while-away-2", MqttQualityOfServiceLevel.ExactlyOnce))).IsSuccess);
        Assert.True((await pub.PublishAsync(Message($"cmnd/{Device}/POWER", "qos0-not-kept", MqttQualityOfServiceLevel.AtMostOnce))).IsSuccess);

        // Back without subscribing again: the session held the subscription and the QoS 1/2 messages.
        await using var back = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-keeper", Persistent);
        Assert.True(back.Connected.IsSessionPresent);
        IReadOnlyList<MqttApplicationMessage> got = await back.WaitForAsync(2);
        Assert.Equal(["while-away-1", "while-away-2"], got.Select(Text));
        Assert.Equal([MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.AtLeastOnce], got.Select(m => m.QualityOfServiceLevel));
        Assert.True((await pub.PublishAsync(Message($"cmnd/{Device}/POWER", "live"))).IsSuccess);
        Assert.Equal("live", Text((await back.WaitForAsync(3))[2]));
    }

    [Fact]
    public async Task TopicAliases_PublisherSendsByAlias_SubscriberGetsFullTopic()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        await using var sub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-sub");
        await sub.SubscribeAsync(b => b.WithTopicFilter($"tele/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce));
        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-pub");
        Assert.Equal(16, pub.Connected.TopicAliasMaximum); // Mqtt:TopicAliasMaximum's default

        // The publisher sets alias 1 with the topic, then sends by the alias alone.
        string topic = $"tele/{Device}/SENSOR/living-room/temperature";
        Assert.True((await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithTopicAlias(1).WithPayload("20.5")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).IsSuccess);
        Assert.True((await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("").WithTopicAlias(1).WithPayload("20.6")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).IsSuccess);

        // The broker resolved the alias; a subscriber that takes no aliases gets the whole topic, and no alias, each time.
        IReadOnlyList<MqttApplicationMessage> got = await sub.WaitForAsync(2);
        Assert.Equal(["20.5", "20.6"], got.Select(Text));
        Assert.Equal([topic, topic], got.Select(m => m.Topic));
        Assert.Equal([0, 0], got.Select(m => (int)m.TopicAlias));
    }

    [Fact]
    public async Task TopicAliases_SubscriberTakesAliases_SecondMessageByAliasOnly()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        await using var sub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-sub", o => o.WithTopicAliasMaximum(4));
        await sub.SubscribeAsync(b => b.WithTopicFilter($"tele/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce));
        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-pub");
        string topic = $"tele/{Device}/SENSOR/living-room/temperature";
        Assert.True((await pub.PublishAsync(Message(topic, "20.5"))).IsSuccess);
        Assert.True((await pub.PublishAsync(Message(topic, "20.6"))).IsSuccess);

        // The broker sets alias 1 with the topic, then sends by the alias alone. MQTTnet 5.2 hands the application the
        // PUBLISH as it came (empty topic, alias 1) rather than resolving it: with MQTTnet, leave the client's Topic
        // Alias Maximum at its default 0, and the broker sends whole topics (the test above).
        IReadOnlyList<MqttApplicationMessage> got = await sub.WaitForAsync(2);
        Assert.Equal(["20.5", "20.6"], got.Select(Text));
        Assert.Equal([(topic, 1), ("", 1)], got.Select(m => (m.Topic, (int)m.TopicAlias)));
    }

    [Fact]
    public async Task UserProperties_V5_PassThroughInOrder()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        await using var sub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-sub");
        await sub.SubscribeAsync(b => b.WithTopicFilter($"tele/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce));
        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-pub");
        Assert.True((await pub.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"tele/{Device}/STATE").WithPayload("{}")
            .WithUserProperty("room", Encoding.UTF8.GetBytes("kitchen")).WithUserProperty("room", Encoding.UTF8.GetBytes("pantry"))
            .WithUserProperty("unit", Encoding.UTF8.GetBytes("°C"))
            .WithContentType("application/json").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build())).IsSuccess);

        MqttApplicationMessage got = Assert.Single(await sub.WaitForAsync(1));
        Assert.Equal([("room", "kitchen"), ("room", "pantry"), ("unit", "°C")], got.UserProperties.Select(p => (p.Name, p.ReadValueAsString())));
        Assert.Equal("application/json", got.ContentType);
    }

    [Fact]
    public async Task SubscriptionIdentifiers_V5_OverlappingFiltersGiveBothIdentifiers()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        await using var sub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-sub");
        await sub.SubscribeAsync(b => b.WithTopicFilter($"tele/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce).WithSubscriptionIdentifier(7));
        await sub.SubscribeAsync(b => b.WithTopicFilter($"tele/{Device}/+/power", MqttQualityOfServiceLevel.AtMostOnce).WithSubscriptionIdentifier(9));
        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-pub");
        Assert.True((await pub.PublishAsync(Message($"tele/{Device}/socket1/power", "58"))).IsSuccess);
        Assert.True((await pub.PublishAsync(Message($"tele/{Device}/uptime", "3600"))).IsSuccess);

        IReadOnlyList<MqttApplicationMessage> got = await sub.WaitForAsync(2);
        // Once per message, at the higher QoS of the matching subscriptions, with every matching identifier.
        Assert.Equal([7u, 9u], got[0].SubscriptionIdentifiers.Order());
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, got[0].QualityOfServiceLevel);
        Assert.Equal([7u], got[1].SubscriptionIdentifiers);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task SharedSubscription_TwoMembers_EachMessageToExactlyOne(MqttProtocolVersion version)
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        string filter = $"$share/workers/cmnd/{Device}/#";
        await using var a = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-a");
        await using var b = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-b");
        await using var plain = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-plain");
        if (version == MqttProtocolVersion.V500)
        {
            Assert.True(a.Connected.SharedSubscriptionAvailable);
        }

        foreach (MqttnetClient member in new[] { a, b })
        {
            MqttClientSubscribeResult result = await member.SubscribeAsync(s => s.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce));
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(result.Items).ResultCode);
        }

        await plain.SubscribeAsync(s => s.WithTopicFilter($"cmnd/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce));
        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, version, "net-pub");
        string[] sent = [.. Enumerable.Range(0, 10).Select(i => $"job{i}")];
        foreach (string job in sent)
        {
            Assert.True((await pub.PublishAsync(Message($"cmnd/{Device}/job", job))).IsSuccess);
        }

        // The plain subscriber sees all ten; the group sees each once, taken in turn by its two connected members.
        Assert.Equal(sent, (await plain.WaitForAsync(10)).Select(Text));
        IReadOnlyList<MqttApplicationMessage> toA = await a.WaitForAsync(5);
        IReadOnlyList<MqttApplicationMessage> toB = await b.WaitForAsync(5);
        Assert.Equal(sent, toA.Concat(toB).Select(Text).Order(StringComparer.Ordinal));
        Assert.Equal((5, 5), (toA.Count, toB.Count));
        Assert.All(toA.Concat(toB), m => Assert.Equal($"cmnd/{Device}/job", m.Topic));
    }

    [Fact]
    public async Task SharedSubscription_MemberDiesWithoutAcknowledging_Qos1GoesToTheOtherMember()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        string filter = $"$share/workers/cmnd/{Device}/#";
        var crashing = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-crashing", acknowledge: false);
        await using var steady = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-steady");
        await crashing.SubscribeAsync(s => s.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce));
        await steady.SubscribeAsync(s => s.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce));
        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-pub");
        Assert.True((await pub.PublishAsync(Message($"cmnd/{Device}/job", "job1"))).IsSuccess);
        Assert.True((await pub.PublishAsync(Message($"cmnd/{Device}/job", "job2"))).IsSuccess);
        string taken = Text(Assert.Single(await crashing.WaitForAsync(1)));
        string other = Text(Assert.Single(await steady.WaitForAsync(1)));
        Assert.Equal(["job1", "job2"], new[] { taken, other }.Order(StringComparer.Ordinal));

        // Gone without DISCONNECT and without acknowledging: its session (no expiry) ends, and the job moves on.
        await crashing.DisposeAsync();
        IReadOnlyList<MqttApplicationMessage> got = await steady.WaitForAsync(2);
        Assert.Equal([other, taken], got.Select(Text));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, MqttClientSubscribeResultCode.UnspecifiedError)]
    [InlineData(MqttProtocolVersion.V500, MqttClientSubscribeResultCode.TopicFilterInvalid)]
    public async Task SharedSubscription_WildcardInShareName_Refused(MqttProtocolVersion version, MqttClientSubscribeResultCode expected)
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        await using var client = await MqttnetClient.ConnectAsync(node.Port("Mqtt:Port"), Device, Password, version, "net-bad");
        MqttClientSubscribeResult result = await client.SubscribeAsync(s => s.WithTopicFilter($"$share/wo+rkers/cmnd/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.Equal(expected, Assert.Single(result.Items).ResultCode);
    }

    [Fact]
    public async Task SharedSubscription_FilterOutsideDeviceGrants_NotAuthorized()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        await using var client = await MqttnetClient.ConnectAsync(node.Port("Mqtt:Port"), Device, Password, MqttProtocolVersion.V500, "net-acl");
        MqttClientSubscribeResult result = await client.SubscribeAsync(s => s
            .WithTopicFilter("$share/g/cmnd/other-device/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter($"$share/g/cmnd/{Device}/#", MqttQualityOfServiceLevel.AtLeastOnce));
        Assert.Equal([MqttClientSubscribeResultCode.NotAuthorized, MqttClientSubscribeResultCode.GrantedQoS1], result.Items.Select(i => i.ResultCode));
    }

    [Fact]
    public async Task SharedSubscription_MosquittoSubMembers_SplitTheMessages()
    {
        await using var node = await MqttnetClient.StartNodeAsync(Device, Password);
        int port = node.Port("Mqtt:Port");
        var conn = MqttPeers.Connection(port, Device, Password, "mqttv5");
        await using var first = await MqttPeers.SubscribeAsync(conn, "-i", "mosq-a", "-t", $"$share/g/tele/{Device}/#", "-q", "1", "-C", "2");
        await using var second = await MqttPeers.SubscribeAsync(conn, "-i", "mosq-b", "-t", $"$share/g/tele/{Device}/#", "-q", "1", "-C", "2");
        await using var pub = await MqttnetClient.ConnectAsync(port, Device, Password, MqttProtocolVersion.V500, "net-pub");
        foreach (string m in new[] { "m1", "m2", "m3", "m4" })
        {
            Assert.True((await pub.PublishAsync(Message($"tele/{Device}/x", m))).IsSuccess);
        }

        // Each exits after two messages, which happens only if the four were split between them.
        var a = await first.WaitAsync(MqttPeers.Wait);
        var b = await second.WaitAsync(MqttPeers.Wait);
        Assert.Equal(["m1", "m2", "m3", "m4"], MqttPeers.Messages(a.Out).Concat(MqttPeers.Messages(b.Out)).Order(StringComparer.Ordinal));
    }
}
