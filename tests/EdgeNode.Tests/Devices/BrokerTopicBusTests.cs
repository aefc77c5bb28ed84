using System.Text;
using EdgeNode.Core.Topics;
using EdgeNode.Devices.Wiring;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Messaging;

namespace EdgeNode.Tests.Devices;

/// <summary>The broker's hub as the device service's topic bus.</summary>
public sealed class BrokerTopicBusTests
{
    private readonly MqttMessageHub _hub = new();
    private readonly List<MqttMessage> _published = [];
    private readonly List<MqttMessage> _retained = [];
    private readonly Recorder _observer = new();

    public BrokerTopicBusTests() => _hub.AddTarget(new Target(_published));

    [Fact]
    public void Observe_TwoMatchingFilters_TellsEachMessageOnce_NotTheNodesOwn()
    {
        var bus = new BrokerTopicBus(_hub, () => _retained);
        using var state = bus.Observe("stat/#", _observer);
        using var power = bus.Observe("stat/plug1/POWER", _observer);

        _hub.Arrived(new MqttMessage("stat/plug1/POWER", "ON"u8.ToArray(), retain: true), MqttMessageOrigin.EmbeddedBroker);
        _hub.Arrived(new MqttMessage("stat/plug1/POWER", "OFF"u8.ToArray()), MqttMessageOrigin.Upstream);
        _hub.Arrived(new MqttMessage("stat/plug1/POWER", "echo"u8.ToArray()), MqttMessageOrigin.Node);
        _hub.Arrived(new MqttMessage("tele/plug1/LWT", "Online"u8.ToArray()), MqttMessageOrigin.EmbeddedBroker);

        Assert.Equal([("stat/plug1/POWER", "ON", true), ("stat/plug1/POWER", "OFF", false)], _observer.Seen);
    }

    [Fact]
    public void Observe_Disposed_StopsTelling()
    {
        var bus = new BrokerTopicBus(_hub, () => _retained);
        bus.Observe("stat/#", _observer).Dispose();

        _hub.Arrived(new MqttMessage("stat/plug1/POWER", "ON"u8.ToArray()), MqttMessageOrigin.EmbeddedBroker);

        Assert.Empty(_observer.Seen);
    }

    [Fact]
    public void PublishAndRetained_GoThroughTheHubAndTheBroker()
    {
        _retained.Add(new MqttMessage("tele/plug1/LWT", "Online"u8.ToArray(), retain: true));
        var bus = new BrokerTopicBus(_hub, () => _retained);

        bus.Publish("cmnd/plug1/POWER", "OFF"u8.ToArray(), 1, retain: false);

        var sent = Assert.Single(_published);
        Assert.Equal(("cmnd/plug1/POWER", "OFF", MqttQos.AtLeastOnce, false), (sent.Topic, Encoding.UTF8.GetString(sent.Payload.Span), sent.Qos, sent.Retain));
        var retained = Assert.Single(bus.Retained());
        Assert.Equal(("tele/plug1/LWT", "Online", true), (retained.Topic, Encoding.UTF8.GetString(retained.Payload.Span), retained.Retain));
    }

    private sealed class Recorder : ITopicObserver
    {
        public List<(string Topic, string Payload, bool Retain)> Seen { get; } = [];

        public void OnMessage(in TopicMessage message) => Seen.Add((message.Topic, Encoding.UTF8.GetString(message.Payload.Span), message.Retain));
    }

    private sealed class Target(List<MqttMessage> published) : IMqttMessageTarget
    {
        public void Publish(MqttMessage message, MqttMessageOrigin origin) => published.Add(message);
    }
}
