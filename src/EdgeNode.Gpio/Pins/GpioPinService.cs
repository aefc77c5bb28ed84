using System.Globalization;
using System.Threading.Channels;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Devices;
using EdgeNode.Gpio.Chips;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Gpio.Pins;

/// <summary>
/// GPIO pins declared in Devices:Gpio become devices in the registry, so they reach their owners exactly like MQTT
/// devices (DeviceChatService does the chat side): an input is a binary sensor whose debounced edges are readings,
/// an output is a switch that <see cref="Execute"/> drives. The chip `simulated` is a <see cref="SimulatedGpioChip"/>
/// for tests and for trying the node on a machine without pins.
/// </summary>
public sealed class GpioPinService : BackgroundService, IPinControl
{
    public const string SimulatedChip = "simulated";
    public const string CapabilityId = "state";
    public static readonly TimeSpan DefaultPulse = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxPulse = TimeSpan.FromSeconds(10);

    private readonly GpioOptions _options;
    private readonly DeviceRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<DeviceKey, IGpioLine> _lines = [];
    private readonly Channel<PulseRequest> _pulses = Channel.CreateBounded<PulseRequest>(new BoundedChannelOptions(16) { SingleReader = true });
    private IGpioChip? _chip;

    public GpioPinService(GpioOptions options, DeviceRegistry registry, ILogger logger, TimeProvider? time = null)
    {
        _options = options;
        _registry = registry;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The opened chip, once the service has started; the end-to-end tests drive a simulated one through it.</summary>
    public IGpioChip? Chip => _chip;

    /// <summary>
    /// Opens the chip before the node reports itself started (a chip that cannot be opened stops the start, before
    /// READY=1), then lets <see cref="ExecuteAsync"/> watch the pins in the background.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _chip = Open(_options.Chip!);
        }
        catch (GpioException e)
        {
            GpioLog.ChipFailed(_logger, _options.Chip!, e);
            throw;
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_chip is null) return;
        var inputs = new List<Task>();
        foreach (var pin in _options.Pins)
        {
            if (RequestPin(_chip, pin) is { } input) inputs.Add(EdgesAsync(input.Key, input.Line, stoppingToken));
        }
        try
        {
            await Task.WhenAll([.. inputs, PulsesAsync(stoppingToken)]).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private IGpioChip Open(string chip)
    {
        if (!string.Equals(chip, SimulatedChip, StringComparison.OrdinalIgnoreCase)) return GpioChips.Open(chip);
        var simulated = new SimulatedGpioChip(time: _time);
        SimulatedGpioHook.Opened?.Invoke(simulated);
        return simulated;
    }

    // Returns the input to watch, or null for an output or a pin that could not be had (logged; the others still work).
    private (DeviceKey Key, IGpioLine Line)? RequestPin(IGpioChip chip, GpioPinOptions pin)
    {
        if (!PinMap.TryParse(pin.Line, out var offset, out var problem))
        {
            GpioLog.PinFailed(_logger, pin.Name, problem ?? pin.Line, null);
            return null;
        }
        var output = pin.Direction == GpioPinDirection.Output;
        IGpioLine line;
        try
        {
            line = chip.RequestLine(offset, new GpioLineSettings
            {
                Direction = output ? GpioDirection.Output : GpioDirection.Input,
                ActiveLow = pin.ActiveLow,
                Bias = (GpioBias)pin.Bias,
                Edge = output ? GpioEdge.None : GpioEdge.Both,
                Debounce = TimeSpan.FromMilliseconds(pin.DebounceMs),
            }, "edgenode:" + pin.Name);
        }
        catch (GpioException e)
        {
            GpioLog.PinFailed(_logger, pin.Name, e.Message, e);
            return null;
        }

        var key = new DeviceKey(DeviceConvention.Gpio, pin.Name);
        lock (_lines) _lines[key] = line;
        _registry.Ensure(key, pin.Name);
        _registry.SetInfo(key, new DeviceInfo(Model: $"GPIO {(output ? "output" : "input")} on line {offset}", Manufacturer: chip.Label));
        _registry.UpsertCapability(key, new Capability(CapabilityId, output ? CapabilityKind.Switch : CapabilityKind.BinarySensor) { Name = pin.Name });
        if (ConfiguredAccess(key) is { } access) _registry.SetAccess(key, access);
        _registry.SetAvailability(key, DeviceAvailability.Online);
        _registry.Report(key, new ReadingUpdate(CapabilityId, ReadingValue.Of(line.Read())));
        GpioLog.PinReady(_logger, pin.Name, output ? "output" : "input", offset, chip.Label);
        return output ? null : (key, line);
    }

    private async Task EdgesAsync(DeviceKey key, IGpioLine line, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var edge = await line.ReadEdgeAsync(stop).ConfigureAwait(false);
            _registry.Report(key, new ReadingUpdate(CapabilityId, ReadingValue.Of(edge.Rising)));
        }
    }

    /// <summary>Drives an output for on, off or toggle and reports its new state, which answers the waiting command.</summary>
    public string? Execute(Device device, DeviceCommand command)
    {
        if (LineOf(device.Key) is not { Settings.Direction: GpioDirection.Output } line)
            return $"{device.Localpart} is an input; it only reports.";
        switch (command.Action)
        {
            case CommandAction.On: line.Write(true); break;
            case CommandAction.Off: line.Write(false); break;
            case CommandAction.Toggle: line.Write(!line.Read()); break;
            default: return $"{device.Localpart} takes on, off, toggle and pulse.";
        }
        _registry.Report(device.Key, new ReadingUpdate(CapabilityId, ReadingValue.Of(line.Read())));
        return null;
    }

    /// <summary>Queues a pulse (on, wait, off) on an output; the task ends with the chat answer.</summary>
    public Task<string> Pulse(Device device, TimeSpan duration)
    {
        if (LineOf(device.Key) is not { Settings.Direction: GpioDirection.Output } line)
            return Task.FromResult($"{device.Localpart} is an input; it only reports.");
        var request = new PulseRequest(device.Key, line, duration, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        return _pulses.Writer.TryWrite(request) ? request.Done.Task : Task.FromResult($"{device.Localpart} has too many pulses waiting.");
    }

    // One pulse at a time: they are short (at most MaxPulse), and the node's pins are few.
    private async Task PulsesAsync(CancellationToken stop)
    {
        await foreach (var pulse in _pulses.Reader.ReadAllAsync(stop).ConfigureAwait(false))
        {
            try
            {
                pulse.Line.Write(true);
                _registry.Report(pulse.Key, new ReadingUpdate(CapabilityId, ReadingValue.Of(true)));
                await Task.Delay(pulse.Duration, _time, stop).ConfigureAwait(false);
            }
            finally
            {
                pulse.Line.Write(false);
                _registry.Report(pulse.Key, new ReadingUpdate(CapabilityId, ReadingValue.Of(false)));
                pulse.Done.TrySetResult("done: pulse " + DescribePulse(pulse.Duration));
            }
        }
    }

    /// <summary>"pulse", "pulse 200", "pulse 200ms", "pulse 2s": true when the text is a pulse command.</summary>
    public static bool TryParsePulse(string text, out TimeSpan duration, out string? error)
    {
        duration = DefaultPulse;
        error = null;
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || !string.Equals(words[0], "pulse", StringComparison.OrdinalIgnoreCase)) return false;
        if (words.Length == 1) return true;
        var value = string.Concat(words[1..]).ToLowerInvariant();
        var number = value;
        var scale = 1.0;
        if (value.EndsWith("ms", StringComparison.Ordinal)) number = value[..^2];
        else if (value.EndsWith('s'))
        {
            number = value[..^1];
            scale = 1000;
        }
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount * scale < 1
            || amount * scale > MaxPulse.TotalMilliseconds)
        {
            error = $"A pulse lasts from 1 ms to {MaxPulse.TotalSeconds:0} s: 'pulse', 'pulse 200ms' or 'pulse 2s'.";
            return true;
        }
        duration = TimeSpan.FromMilliseconds(amount * scale);
        return true;
    }

    bool IPinControl.TryParsePulse(string text, out TimeSpan duration, out string? error) => TryParsePulse(text, out duration, out error);

    private static string DescribePulse(TimeSpan duration) => duration.TotalSeconds >= 1
        ? DeviceTexts.FormatNumber(duration.TotalSeconds) + " s"
        : DeviceTexts.FormatNumber(duration.TotalMilliseconds) + " ms";

    /// <summary>The owners a pin's configuration names, which stand when `edgenode device owner` assigns none.</summary>
    public DeviceAccess? ConfiguredAccess(DeviceKey key)
    {
        if (key.Convention != DeviceConvention.Gpio) return null;
        foreach (var pin in _options.Pins)
        {
            if (pin.Name == key.NativeId && pin.Owners.Count > 0) return DeviceAccess.OwnedBy(pin.Owners.Select(Jid.Parse));
        }
        return null;
    }

    private IGpioLine? LineOf(DeviceKey key)
    {
        lock (_lines) return _lines.GetValueOrDefault(key);
    }

    public override void Dispose()
    {
        _pulses.Writer.TryComplete();
        lock (_lines)
        {
            foreach (var line in _lines.Values) line.Dispose();
            _lines.Clear();
        }
        _chip?.Dispose();
        base.Dispose();
    }

    private sealed record PulseRequest(DeviceKey Key, IGpioLine Line, TimeSpan Duration, TaskCompletionSource<string> Done);
}
