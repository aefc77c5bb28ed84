using EdgeNode.Core.Configuration;
using EdgeNode.Mqtt.Broker;
using EdgeNode.Mqtt.Codec;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>Mqtt:MaxKeepAliveSeconds: keep-alive 0 (or above the maximum) no longer lets a silent connection live forever.</summary>
public class MqttKeepAliveTests
{
    private static MqttBroker NewBroker() => BrokerHarness.NewBroker(new MqttOptions
    {
        Port = 1883, TlsPort = 0, AnonymousLoopback = true, SysInterval = TimeSpan.Zero, MaxKeepAlive = TimeSpan.FromSeconds(100),
    });

    [Theory]
    [InlineData(0, 100)]
    [InlineData(101, 100)]
    [InlineData(65535, 100)]
    public async Task V5_KeepAliveZeroOrAboveMaximum_ServerKeepAliveInConnAck(int asked, int told)
    {
        await using var client = new BrokerHarness(NewBroker());
        MqttConnAck connAck = await client.TryConnectAsync("c", keepAlive: (ushort)asked);
        Assert.Equal(MqttReasonCode.Success, connAck.ReasonCode);
        Assert.Equal((ushort)told, connAck.Properties?.ServerKeepAlive);
        Assert.Equal((ushort)told, client.Connection("c").KeepAliveSeconds);
    }

    [Fact]
    public async Task V5_KeepAliveWithinMaximum_NoServerKeepAlive()
    {
        await using var client = new BrokerHarness(NewBroker());
        MqttConnAck connAck = await client.TryConnectAsync("c", keepAlive: 30);
        Assert.Null(connAck.Properties?.ServerKeepAlive);
        Assert.Equal(30, client.Connection("c").KeepAliveSeconds);
    }

    [Fact]
    public async Task V5_KeepAliveZero_SilentConnectionClosedAfterOneAndAHalfMaximum()
    {
        await using var client = new BrokerHarness(NewBroker());
        await client.ConnectAsync("c", keepAlive: 0);
        var connection = client.Connection("c");

        connection.CheckTimers(connection.LastReceived + 149_000);
        Assert.False(connection.IsClosing);
        Assert.Null(connection.ClosedByNode);
        connection.CheckTimers(connection.LastReceived + 151_000);
        Assert.True(connection.IsClosing);
        Assert.Equal("silent past its keep-alive", connection.ClosedByNode);
        var disconnect = (MqttDisconnect)(await client.ReceiveAsync()).Control!;
        Assert.Equal(MqttReasonCode.KeepAliveTimeout, disconnect.ReasonCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public async Task V311_KeepAliveZeroOrAboveMaximum_HeldToMaximumAsIdleLimit(int asked)
    {
        await using var client = new BrokerHarness(NewBroker(), MqttProtocolVersion.V311);
        MqttConnAck connAck = await client.TryConnectAsync("old", keepAlive: (ushort)asked);
        Assert.Equal(MqttReasonCode.Success, connAck.ReasonCode);
        var connection = client.Connection("old");
        Assert.Equal(100, connection.KeepAliveSeconds);

        connection.CheckTimers(connection.LastReceived + 149_000);
        Assert.False(connection.IsClosing);
        connection.CheckTimers(connection.LastReceived + 151_000);
        Assert.True(connection.IsClosing);
        // 3.1.1 has no DISCONNECT from the server: the connection just ends.
        await Assert.ThrowsAsync<EndOfStreamException>(client.ReceiveAsync);
    }

    [Fact]
    public async Task V311_KeepAliveWithinMaximum_Kept()
    {
        await using var client = new BrokerHarness(NewBroker(), MqttProtocolVersion.V311);
        await client.ConnectAsync("old", keepAlive: 20);
        var connection = client.Connection("old");
        Assert.Equal(20, connection.KeepAliveSeconds);
        connection.CheckTimers(connection.LastReceived + 29_000);
        Assert.False(connection.IsClosing);
        connection.CheckTimers(connection.LastReceived + 31_000);
        Assert.True(connection.IsClosing);
    }
}
