using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using MQTTnet.Server;

// edgenode-mqttnet-anchor --host 127.0.0.8 --port 21883
// MQTTnet.Server with its default options (among them: a bounded per-client queue of 250 messages that drops the
// oldest when full), listening on one IPv4 address and port without authentication, until SIGTERM or SIGINT.
string host = "127.0.0.1";
int port = 1883;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--host": host = args[i + 1]; break;
        case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"usage: edgenode-mqttnet-anchor [--host ADDRESS] [--port PORT] (unknown {args[i]})");
            return 2;
    }
}

if (args.Length % 2 != 0)
{
    Console.Error.WriteLine("usage: edgenode-mqttnet-anchor [--host ADDRESS] [--port PORT]");
    return 2;
}

var factory = new MqttServerFactory();
MqttServerOptions options = factory.CreateServerOptionsBuilder()
    .WithDefaultEndpoint()
    .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(host))
    .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
    .WithDefaultEndpointPort(port)
    .Build();

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using MqttServer server = factory.CreateMqttServer(options);
await server.StartAsync();
Console.WriteLine($"MQTTnet.Server {typeof(MqttServer).Assembly.GetName().Version} listening on {host}:{port}");
await stop.Task;
await server.StopAsync();
return 0;
