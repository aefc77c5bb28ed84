namespace EdgeNode.Core.Devices;

/// <summary>A command sent to a device that waits for the device's echo or state change.</summary>
public sealed class PendingCommand
{
    private readonly TaskCompletionSource<CommandOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal PendingCommand(DeviceKey device, string deviceName, DeviceCommand command, TimeSpan timeout)
    {
        Device = device;
        DeviceName = deviceName;
        Command = command;
        Timeout = timeout;
    }

    public DeviceKey Device { get; }
    public string DeviceName { get; }
    public DeviceCommand Command { get; }
    public TimeSpan Timeout { get; }
    public Task<CommandOutcome> Completion => _completion.Task;

    internal ITimer? Timer { get; set; }

    internal bool Complete(CommandOutcome outcome)
    {
        if (!_completion.TrySetResult(outcome)) return false;
        Timer?.Dispose();
        return true;
    }
}
