using EdgeNode.Core.Devices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Devices;

/// <summary>
/// The one entry point the MQTT wiring talks to: it hands each message to the adapters whose filters match and
/// routes each command to the adapter of the device's convention.
/// </summary>
public sealed class DeviceGateway
{
    private readonly ConventionAdapter[] _adapters;
    private readonly ILogger _logger;

    private readonly IDeviceTopicAccess? _access;

    /// <param name="access">The broker's access rules: a command is published only on topics the device's announcing
    /// account may publish to itself. Null (tests, replays) checks nothing.</param>
    public DeviceGateway(IEnumerable<ConventionAdapter> adapters, ILogger? logger = null, IDeviceTopicAccess? access = null)
    {
        _adapters = [.. adapters];
        _logger = logger ?? NullLogger.Instance;
        _access = access;
        foreach (var adapter in _adapters) adapter.FiltersChanged += () => FiltersChanged?.Invoke();
    }

    /// <summary>Some adapter's <see cref="ConventionAdapter.SubscriptionFilters"/> changed; <see cref="SubscriptionFilters"/> has the new set.</summary>
    public event Action? FiltersChanged;

    public IReadOnlyList<ConventionAdapter> Adapters => _adapters;

    /// <summary>Every filter to subscribe to, without duplicates.</summary>
    public IReadOnlyList<string> SubscriptionFilters =>
        [.. _adapters.SelectMany(a => a.SubscriptionFilters).Distinct(StringComparer.Ordinal)];

    /// <summary>Passes a message to every interested adapter; returns how many understood it. Never throws.</summary>
    public int Handle(string topic, ReadOnlyMemory<byte> payload, bool retained)
    {
        if (!TopicFilter.IsValidTopicName(topic))
        {
            _logger.TopicRejected(topic.Length);
            return 0;
        }
        var understood = 0;
        foreach (var adapter in _adapters)
        {
            if (!adapter.SubscriptionFilters.Any(filter => TopicFilter.Matches(filter, topic))) continue;
            if (adapter.Handle(topic, payload, retained)) understood++;
        }
        return understood;
    }

    public CommandTranslation Translate(Device device, DeviceCommand command)
    {
        foreach (var adapter in _adapters)
        {
            if (adapter.Convention == device.Convention) return WithinAccess(adapter, device, adapter.Translate(device, command));
        }
        return CommandTranslation.Unsupported($"{device.Localpart} cannot be commanded: no {device.Convention} adapter is running");
    }

    // The adapters already refuse discovery naming foreign topics; this is the last word before anything is published,
    // so a convention that slips cannot make the node a confused deputy.
    private CommandTranslation WithinAccess(ConventionAdapter adapter, Device device, CommandTranslation translation)
    {
        if (_access is null || translation.Publications.Count == 0 || adapter.AccountOf(device.Key) is not { } account) return translation;
        foreach (var publication in translation.Publications)
        {
            if (_access.MayPublish(account, publication.Topic)) continue;
            _logger.CommandOutsideAccess(device.Localpart, publication.Topic, account);
            return CommandTranslation.Unsupported($"{device.Localpart} cannot be commanded: its announcement names a topic its account may not publish to");
        }
        return translation;
    }
}
