using System.Collections.Concurrent;
using EdgeNode.Interop.Tests.Support;
using MQTTnet;
using MQTTnet.Formatter;

namespace EdgeNode.Interop.Tests.Mqtt;

/// <summary>An MQTTnet client connected to a node, with what it received kept in order for the test to inspect.</summary>
internal sealed class MqttnetClient : IAsyncDisposable
{
    private static readonly MqttClientFactory Factory = new();
    private readonly ConcurrentQueue<MqttApplicationMessage> _received = new();

    private MqttnetClient(IMqttClient client, bool acknowledge)
    {
        Client = client;
        client.ApplicationMessageReceivedAsync += e =>
        {
            // Off: QoS 1/2 messages stay unacknowledged, as with a client that crashes while handling them.
            e.AutoAcknowledge = acknowledge;
            _received.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    public MqttClientConnectResult Connected { get; private set; } = null!;

    public IReadOnlyList<MqttApplicationMessage> Received => [.. _received];

    public static MqttClientFactory Builders => Factory;

    /// <summary>
    /// Connects as <paramref name="device"/>; <paramref name="configure"/> adds session, will or v5 options. With
    /// <paramref name="acknowledge"/> false, no PUBACK or PUBREC is ever sent for what arrives.
    /// </summary>
    public static async Task<MqttnetClient> ConnectAsync(int port, string device, string password, MqttProtocolVersion version, string clientId,
        Action<MqttClientOptionsBuilder>? configure = null, bool acknowledge = true)
    {
        var client = new MqttnetClient(Factory.CreateMqttClient(), acknowledge);
        MqttClientOptionsBuilder options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(version)
            .WithClientId(clientId)
            .WithCredentials(device, password)
            .WithTimeout(MqttPeers.Wait);
        configure?.Invoke(options);
        using var timeout = new CancellationTokenSource(MqttPeers.Wait);
        client.Connected = await client.Client.ConnectAsync(options.Build(), timeout.Token);
        return client;
    }

    public async Task<MqttClientSubscribeResult> SubscribeAsync(Action<MqttClientSubscribeOptionsBuilder> configure)
    {
        MqttClientSubscribeOptionsBuilder builder = Factory.CreateSubscribeOptionsBuilder();
        configure(builder);
        using var timeout = new CancellationTokenSource(MqttPeers.Wait);
        return await Client.SubscribeAsync(builder.Build(), timeout.Token);
    }

    public async Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage message)
    {
        using var timeout = new CancellationTokenSource(MqttPeers.Wait);
        return await Client.PublishAsync(message, timeout.Token);
    }

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived (the deadline only stops a hung test).</summary>
    public async Task<IReadOnlyList<MqttApplicationMessage>> WaitForAsync(int count)
    {
        var deadline = DateTime.UtcNow + MqttPeers.Wait;
        while (_received.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Client.Options?.ClientId}: {_received.Count} of {count} messages arrived");
            await Task.Delay(10);
        }

        return Received;
    }

    /// <summary>A clean DISCONNECT (v5: with the reason given).</summary>
    public async Task DisconnectAsync(MqttClientDisconnectOptionsReason reason = MqttClientDisconnectOptionsReason.NormalDisconnection)
    {
        using var timeout = new CancellationTokenSource(MqttPeers.Wait);
        await Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(reason).Build(), timeout.Token);
    }

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The node's MQTT port with a device account made, as the other MQTT interop tests do.</summary>
    public static Task<TestNode> StartNodeAsync(string device, string password, params string[] settings) =>
        MqttPeers.StartNodeWithDeviceAsync(device, password, settings);
}
