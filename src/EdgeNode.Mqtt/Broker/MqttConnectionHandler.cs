using Microsoft.AspNetCore.Connections;

namespace EdgeNode.Mqtt.Broker;

/// <summary>The Kestrel handler for Mqtt:Port and Mqtt:TlsPort (TLS is already terminated for the latter).</summary>
public sealed class MqttConnectionHandler(MqttBroker broker) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection) => broker.ServeAsync(connection);
}
