namespace EdgeNode.Core.Devices;

/// <summary>
/// Matches device changes to commands waiting for them. A command is done when the device reports what it asked
/// for (on: its capability reads on; set brightness 40: brightness near 40 %; toggle, open, close, stop: any
/// report of that capability; status: any reading), and it times out on the given <see cref="TimeProvider"/>,
/// so tests run it on a fake clock. Commands with nothing to wait for (help, press) complete at once.
/// </summary>
public sealed class PendingCommandTracker
{
    // Brightness and positions go through a device's own scale (0-254, 0-255) and back; allow that rounding.
    private const double PercentTolerance = 1.5;
    private const double MiredTolerance = 2;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<PendingCommand> _pending = [];

    public PendingCommandTracker(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public int Count
    {
        get { lock (_gate) return _pending.Count; }
    }

    public PendingCommand Track(Device device, DeviceCommand command, TimeSpan timeout)
    {
        var pending = new PendingCommand(device.Key, device.Localpart, command, timeout);
        if (command.Action is CommandAction.Help or CommandAction.Press)
        {
            pending.Complete(new CommandOutcome(CommandOutcomeKind.Done, DeviceTexts.Done(command)));
            return pending;
        }
        lock (_gate) _pending.Add(pending);
        pending.Timer = _time.CreateTimer(static state =>
        {
            var (tracker, waiting) = ((PendingCommandTracker, PendingCommand))state!;
            tracker.Expire(waiting);
        }, (this, pending), timeout, System.Threading.Timeout.InfiniteTimeSpan);
        return pending;
    }

    /// <summary>Completes every waiting command this change answers; returns how many.</summary>
    public int Observe(DeviceChange change)
    {
        List<(PendingCommand Pending, CommandOutcome Outcome)> finished = [];
        lock (_gate)
        {
            for (var i = _pending.Count - 1; i >= 0; i--)
            {
                var pending = _pending[i];
                if (pending.Device != change.Device.Key) continue;
                if (Answer(pending, change) is not { } outcome) continue;
                _pending.RemoveAt(i);
                finished.Add((pending, outcome));
            }
        }
        foreach (var (pending, outcome) in finished) pending.Complete(outcome);
        return finished.Count;
    }

    private static CommandOutcome? Answer(PendingCommand pending, DeviceChange change)
    {
        switch (change.Kind)
        {
            case DeviceChangeKind.Removed:
            case DeviceChangeKind.Availability when change.Device.Availability == DeviceAvailability.Offline:
                return new CommandOutcome(CommandOutcomeKind.Lost, DeviceTexts.WentOffline(pending.DeviceName));
            case DeviceChangeKind.Readings:
                return change.Readings.FirstOrDefault(r => Satisfies(pending.Command, r)) is { } answer
                    ? new CommandOutcome(CommandOutcomeKind.Done, DeviceTexts.Done(pending.Command, answer))
                    : null;
            default:
                return null;
        }
    }

    private static bool Satisfies(DeviceCommand command, Reading reading)
    {
        if (command.Action == CommandAction.Status) return true;
        if (reading.Capability != command.Capability) return false;
        return command.Action switch
        {
            CommandAction.On => reading.Attribute is null && reading.Value.Flag == true,
            CommandAction.Off => reading.Attribute is null && reading.Value.Flag == false,
            CommandAction.Toggle or CommandAction.Open or CommandAction.Close or CommandAction.Stop => reading.Attribute is null
                || (reading.Attribute == ReadingAttributes.Position && command.Action != CommandAction.Toggle),
            CommandAction.Set => reading.Attribute == command.Attribute && Close(command, reading),
            _ => false,
        };
    }

    private static bool Close(DeviceCommand command, Reading reading)
    {
        if (command.Value is not { } wanted) return false;
        if (wanted.Number is { } target && reading.Value.Number is { } actual)
        {
            var tolerance = command.Attribute switch
            {
                ReadingAttributes.Brightness or ReadingAttributes.Position => PercentTolerance,
                ReadingAttributes.ColorTemperature => MiredTolerance,
                _ => 1e-6 + Math.Abs(target) * 1e-6,
            };
            return Math.Abs(actual - target) <= tolerance;
        }
        return string.Equals(wanted.Text, reading.Value.Text, StringComparison.OrdinalIgnoreCase);
    }

    private void Expire(PendingCommand pending)
    {
        lock (_gate)
        {
            if (!_pending.Remove(pending)) return;
        }
        pending.Complete(new CommandOutcome(CommandOutcomeKind.TimedOut, DeviceTexts.NoAnswer(pending.DeviceName, pending.Timeout)));
    }
}
