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

    /// <summary>The broker's access rules; null when there is no broker to ask (tests, replays), and then nothing is checked.</summary>
    public IDeviceTopicAccess? TopicAccess { get; init; }

    /// <summary>The limits on new devices, shared by every adapter; null (tests, replays) admits every device.</summary>
    public DeviceAdmission? Admission { get; init; }

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
        catch (DeviceRefusedException)
        {
            return false;
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

    /// <summary>
    /// The device account that announced <paramref name="key"/> when its discovery named topics (so the node must stay
    /// within that account's access); null when every topic follows from the device's own name or a trusted publisher.
    /// </summary>
    public string? AccountOf(DeviceKey key)
    {
        lock (_gate) return AccountOfCore(key);
    }

    protected virtual string? AccountOfCore(DeviceKey key) => null;

    protected abstract bool HandleCore(string topic, ReadOnlyMemory<byte> payload, bool retained);

    protected abstract CommandTranslation TranslateCore(Device device, DeviceCommand command);

    protected virtual int LimitFor(string topic) => MaxPayloadBytes;

    protected void OnFiltersChanged() => FiltersChanged?.Invoke();

    protected bool Ignore(string topic, string reason)
    {
        Logger.PayloadIgnored(Convention, topic, reason);
        return false;
    }

    /// <summary>
    /// Adds the device when new, logging the discovery. A new device beyond <see cref="Admission"/>'s limits ends the
    /// handling of the message (<see cref="DeviceRefusedException"/>, caught in <see cref="Handle"/>): the convention
    /// code after it never runs for a device that does not exist.
    /// </summary>
    protected Device EnsureDevice(string nativeId, string identifier, string? displayName = null, string? account = null)
    {
        var key = new DeviceKey(Convention, nativeId);
        if (Registry.Find(key) is { } known) return known;
        // Where the convention names devices by topic, a device account's device bears its name (the broker allows no other).
        account ??= TopicAccess?.IsDeviceAccount(nativeId) == true ? nativeId : null;
        if (Admission is { } admission && !admission.TryAdmit(Convention, key, account)) throw new DeviceRefusedException();
        var device = Registry.Ensure(key, identifier, displayName);
        Logger.DeviceDiscovered(Convention, nativeId, device.Localpart);
        return device;
    }

    protected CommandTranslation NotSupported(Device device, DeviceCommand command) =>
        CommandTranslation.Unsupported($"{device.Localpart} cannot do '{command.Describe()}' through {Convention}. Try: {DeviceTexts.Verbs(device)}.");
}
