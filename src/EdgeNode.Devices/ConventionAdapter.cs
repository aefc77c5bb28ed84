using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices;

/// <summary>
/// Turns one convention's MQTT traffic into device model updates and commands into MQTT publications. It knows
/// nothing of the MQTT library: messages arrive as (topic, payload, retained). <see cref="Handle"/> never throws:
/// a payload too large, malformed or of the wrong shape is logged and ignored, and because each message is fully
/// read before the registry is touched, a bad one cannot leave a device half updated.
/// </summary>
public abstract class ConventionAdapter
{
    public const int DefaultMaxPayloadBytes = 256 * 1024;

    private readonly Lock _gate = new();

    protected ConventionAdapter(DeviceRegistry registry, ILogger logger)
    {
        Registry = registry;
        Logger = logger;
    }

    public abstract DeviceConvention Convention { get; }

    /// <summary>The MQTT topic filters this adapter needs to see; <see cref="FiltersChanged"/> tells when they change.</summary>
    public abstract IReadOnlyList<string> SubscriptionFilters { get; }

    /// <summary>
    /// Raised (on the thread handling a message, before the next message is handled) when discovery names topics of
    /// its own, as Home Assistant's state and availability topics are: whoever feeds the adapter must watch them too.
    /// </summary>
    public event Action? FiltersChanged;

    /// <summary>Larger payloads are ignored before parsing. Zigbee2MQTT's device list raises it for its own topic.</summary>
    public int MaxPayloadBytes { get; init; } = DefaultMaxPayloadBytes;

    protected DeviceRegistry Registry { get; }
    protected ILogger Logger { get; }

    /// <summary>Takes one message; true when it was understood and applied.</summary>
    public bool Handle(string topic, ReadOnlyMemory<byte> payload, bool retained)
    {
        var limit = LimitFor(topic);
        if (payload.Length > limit)
        {
            Logger.PayloadTooLarge(Convention, topic, payload.Length, limit);
            return false;
        }
        try
        {
            lock (_gate) return HandleCore(topic, payload, retained);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Logger.AdapterFailed(Convention, topic, exception);
            return false;
        }
    }

    /// <summary>The publications for a command to a device of this convention. Never throws.</summary>
    public CommandTranslation Translate(Device device, DeviceCommand command)
    {
        if (device.Convention != Convention) return CommandTranslation.Unsupported($"{device.Localpart} is not a {Convention} device");
        try
        {
            lock (_gate) return TranslateCore(device, command);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Logger.CommandFailed(Convention, command.ToString(), device.Localpart, exception);
            return CommandTranslation.Unsupported($"the command could not be sent to {device.Localpart}");
        }
    }

    protected abstract bool HandleCore(string topic, ReadOnlyMemory<byte> payload, bool retained);

    protected abstract CommandTranslation TranslateCore(Device device, DeviceCommand command);

    protected virtual int LimitFor(string topic) => MaxPayloadBytes;

    protected void OnFiltersChanged() => FiltersChanged?.Invoke();

    protected bool Ignore(string topic, string reason)
    {
        Logger.PayloadIgnored(Convention, topic, reason);
        return false;
    }

    /// <summary>Adds the device when new, logging the discovery.</summary>
    protected Device EnsureDevice(string nativeId, string identifier, string? displayName = null)
    {
        var key = new DeviceKey(Convention, nativeId);
        if (Registry.Find(key) is { } known) return known;
        var device = Registry.Ensure(key, identifier, displayName);
        Logger.DeviceDiscovered(Convention, nativeId, device.Localpart);
        return device;
    }

    protected CommandTranslation NotSupported(Device device, DeviceCommand command) =>
        CommandTranslation.Unsupported($"{device.Localpart} cannot do '{command.Describe()}' through {Convention}. Try: {DeviceTexts.Verbs(device)}.");
}
