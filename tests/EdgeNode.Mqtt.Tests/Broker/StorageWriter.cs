using EdgeNode.Mqtt.Storage;

namespace EdgeNode.Mqtt.Tests.Broker;

/// <summary>What the broker service does for a test's storage: writes whenever a connection waits for its changes.</summary>
internal sealed class StorageWriter : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public StorageWriter(MqttBrokerStorage storage)
    {
        _run = Task.Run(async () =>
        {
            while (await storage.WaitForWriteRequestAsync(_stop.Token))
            {
                storage.Flush();
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
    }
}
