using EdgeNode.Core.Devices;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Devices.Tests;

/// <summary>A registry, a logger and a gateway around one adapter, as the wiring will build them.</summary>
internal sealed class Harness
{
    public Harness(Func<DeviceRegistry, ListLogger, ConventionAdapter> adapter, Func<string, bool>? isUser = null, IDeviceTopicAccess? access = null)
    {
        Registry = new DeviceRegistry(isUser ?? (_ => false), Clock);
        Adapter = adapter(Registry, Log);
        Gateway = new DeviceGateway([Adapter], Log, access);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    public ListLogger Log { get; } = new();
    public DeviceRegistry Registry { get; }
    public ConventionAdapter Adapter { get; }
    public DeviceGateway Gateway { get; }

    public int Play(IEnumerable<MqttReplayMessage> messages) => MqttReplay.Play(Gateway, messages);

    public int Send(string topic, string payload, bool retained = false) =>
        Gateway.Handle(topic, System.Text.Encoding.UTF8.GetBytes(payload), retained);

    public Device Device(string localpart) =>
        Registry.FindByLocalpart(localpart) ?? throw new Xunit.Sdk.XunitException($"no device '{localpart}'; have: {string.Join(", ", Registry.All.Select(d => d.Localpart))}");

    public MqttPublication Command(string localpart, string text)
    {
        var device = Device(localpart);
        var parsed = CommandParser.Parse(text, device);
        Assert.True(parsed.Success, parsed.Error);
        var translation = Gateway.Translate(device, parsed.Command);
        Assert.True(translation.Success, translation.Error);
        return Assert.Single(translation.Publications);
    }
}
