namespace EdgeNode.Core.Devices;

/// <summary>
/// Every known device, by key and by chat address, with change notifications for the front-ends. All methods are
/// thread-safe; each takes one short lock and swaps an immutable <see cref="Device"/> snapshot. Addresses: a
/// device gets <see cref="DeviceLocalpart.FromIdentifier"/> of its identifier; when that names a user account the
/// user wins and the device becomes "&lt;name&gt;-device"; when another device already holds the name, "-2",
/// "-3"... is appended.
/// </summary>
public sealed class DeviceRegistry
{
    private const string UserClashSuffix = "-device";

    private readonly Func<string, bool> _isUserAccount;
    private readonly TimeProvider _time;
    private readonly Func<DeviceAccess> _defaultAccess;
    private readonly Func<string, DeviceAccess?> _assignedAccess;
    private readonly Lock _gate = new();
    private readonly Dictionary<DeviceKey, Device> _byKey = [];
    private readonly Dictionary<string, DeviceKey> _byLocalpart = new(StringComparer.Ordinal);
    private readonly List<DeviceSubscription> _subscriptions = [];

    /// <param name="isUserAccount">Whether a local part is taken by a user account (or a reserved participant).</param>
    /// <param name="defaultAccess">The access a newly found device gets, e.g. owned by the node's administrators.</param>
    /// <param name="assignedAccess">The access already assigned to a local part (owners set before the device was
    /// first seen), which a newly found device gets from its first moment instead of the default.</param>
    public DeviceRegistry(Func<string, bool> isUserAccount, TimeProvider? time = null, Func<DeviceAccess>? defaultAccess = null,
        Func<string, DeviceAccess?>? assignedAccess = null)
    {
        _isUserAccount = isUserAccount;
        _time = time ?? TimeProvider.System;
        _defaultAccess = defaultAccess ?? (() => DeviceAccess.Empty);
        _assignedAccess = assignedAccess ?? (_ => null);
    }

    public IReadOnlyList<Device> All
    {
        get { lock (_gate) return [.. _byKey.Values]; }
    }

    public Device? Find(DeviceKey key)
    {
        lock (_gate) return _byKey.GetValueOrDefault(key);
    }

    public Device? FindByLocalpart(string localpart)
    {
        lock (_gate)
        {
            return _byLocalpart.TryGetValue(localpart.ToLowerInvariant(), out var key) ? _byKey[key] : null;
        }
    }

    /// <summary>Returns the device, adding it with an address made from <paramref name="identifier"/> if new.</summary>
    public Device Ensure(DeviceKey key, string identifier, string? displayName = null)
    {
        Device device;
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var existing)) return existing;
            var preferred = DeviceLocalpart.FromIdentifier(identifier);
            var localpart = AssignLocked(preferred, key, out var clash);
            device = new Device
            {
                Key = key,
                Localpart = localpart,
                PreferredLocalpart = preferred,
                Clash = clash,
                DisplayName = string.IsNullOrWhiteSpace(displayName) ? identifier : displayName,
                Access = _assignedAccess(localpart) ?? _defaultAccess(),
            };
            _byKey[key] = device;
            _byLocalpart[localpart] = key;
            PublishLocked(new DeviceChange(DeviceChangeKind.Added, device, null, []));
        }
        return device;
    }

    public bool SetDisplayName(DeviceKey key, string name) =>
        !string.IsNullOrWhiteSpace(name) && Mutate(key, DeviceChangeKind.Described, d => d.DisplayName == name ? d : d with { DisplayName = name });

    public bool SetInfo(DeviceKey key, DeviceInfo info) =>
        Mutate(key, DeviceChangeKind.Described, d => d.Info.Merge(info) is var merged && merged == d.Info ? d : d with { Info = merged });

    /// <summary>Adds the capability, or replaces the one with the same id.</summary>
    public bool UpsertCapability(DeviceKey key, Capability capability) =>
        Mutate(key, DeviceChangeKind.Described, d =>
        {
            var list = d.Capabilities.ToList();
            var index = list.FindIndex(c => c.Id == capability.Id);
            if (index >= 0 && list[index] == capability) return d;
            if (index >= 0) list[index] = capability;
            else list.Add(capability);
            return d with { Capabilities = list };
        });

    public bool RemoveCapability(DeviceKey key, string capabilityId) =>
        Mutate(key, DeviceChangeKind.Described, d =>
            d.FindCapability(capabilityId) is null ? d : d with { Capabilities = [.. d.Capabilities.Where(c => c.Id != capabilityId)] });

    public bool SetAvailability(DeviceKey key, DeviceAvailability availability)
    {
        var now = _time.GetUtcNow();
        return Mutate(key, DeviceChangeKind.Availability, d => d.Availability == availability
            ? d
            : d with { Availability = availability, AvailabilitySince = now, LastSeen = availability == DeviceAvailability.Online ? now : d.LastSeen });
    }

    [ThreadStatic]
    private static bool t_replaying;

    /// <summary>
    /// While the returned scope lives, readings reported on this thread come from the broker's retained snapshot, not
    /// from the device speaking now, so they do not count as a sign of life (see <see cref="Report(DeviceKey, IReadOnlyList{ReadingUpdate})"/>).
    /// </summary>
    public static IDisposable ReplayingRetained()
    {
        t_replaying = true;
        return new ReplayScope();
    }

    private sealed class ReplayScope : IDisposable
    {
        public void Dispose() => t_replaying = false;
    }

    public bool SetAccess(DeviceKey key, DeviceAccess access) =>
        Mutate(key, DeviceChangeKind.Access, d => d with { Access = access });

    /// <summary>
    /// Records readings. Every report notifies, even of unchanged values (see <see cref="DeviceChange"/>). A device
    /// marked offline that reports live is online again: its will may have been published by a broker that stopped
    /// (MQTT requires that) and a firmware that does not announce itself again would otherwise stay offline while it
    /// answers commands.
    /// </summary>
    public bool Report(DeviceKey key, IReadOnlyList<ReadingUpdate> updates)
    {
        if (updates.Count == 0) return false;
        var now = _time.GetUtcNow();
        var readings = new Reading[updates.Count];
        for (var i = 0; i < updates.Count; i++)
        {
            readings[i] = new Reading(updates[i].Capability, updates[i].Value, now, updates[i].Attribute);
        }
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var previous)) return false;
            var state = new Dictionary<string, Reading>(previous.State, StringComparer.Ordinal);
            foreach (var reading in readings) state[reading.Key] = reading;
            var next = previous with { State = state, LastSeen = now };
            if (previous.Availability == DeviceAvailability.Offline && !t_replaying)
            {
                var online = previous with { Availability = DeviceAvailability.Online, AvailabilitySince = now, LastSeen = now };
                PublishLocked(new DeviceChange(DeviceChangeKind.Availability, online, previous, []));
                previous = online;
                next = online with { State = state };
            }
            _byKey[key] = next;
            PublishLocked(new DeviceChange(DeviceChangeKind.Readings, next, previous, readings));
        }
        return true;
    }

    public bool Report(DeviceKey key, params ReadingUpdate[] updates) => Report(key, (IReadOnlyList<ReadingUpdate>)updates);

    public bool Remove(DeviceKey key)
    {
        lock (_gate)
        {
            if (!_byKey.Remove(key, out var removed)) return false;
            _byLocalpart.Remove(removed.Localpart);
            PublishLocked(new DeviceChange(DeviceChangeKind.Removed, removed, removed, []));
        }
        return true;
    }

    /// <summary>Devices whose preferred name belongs to a user account, and which were therefore renamed.</summary>
    public IReadOnlyList<Device> UserClashes()
    {
        lock (_gate) return [.. _byKey.Values.Where(d => d.Clash == AddressClash.UserAccount)];
    }

    /// <summary>
    /// Renames every device whose address has since become a user account (an account created after the device
    /// appeared), and returns the renamed devices. The wiring calls it when accounts change.
    /// </summary>
    public IReadOnlyList<Device> ReconcileUserAccounts()
    {
        var renamedDevices = new List<Device>();
        lock (_gate)
        {
            foreach (var device in _byKey.Values.ToList())
            {
                if (!_isUserAccount(device.Localpart)) continue;
                _byLocalpart.Remove(device.Localpart);
                var localpart = AssignLocked(device.PreferredLocalpart, device.Key, out var clash);
                var renamed = device with { Localpart = localpart, Clash = clash };
                _byKey[device.Key] = renamed;
                _byLocalpart[localpart] = device.Key;
                renamedDevices.Add(renamed);
                PublishLocked(new DeviceChange(DeviceChangeKind.Renamed, renamed, device, []));
            }
        }
        return renamedDevices;
    }

    /// <summary>
    /// A new subscriber's queue. With <paramref name="includeExisting"/> it starts with an Added change for every
    /// device already known (devices declared before any front-end was listening, such as hand-written profiles),
    /// taken in the same lock as the subscription, so nothing is missed or told twice. A subscriber that falls behind
    /// gets each device's waiting readings merged (see <see cref="DeviceSubscription"/>), so it holds at most one
    /// readings change per device; other changes are never dropped.
    /// </summary>
    public DeviceSubscription Subscribe(bool includeExisting = false)
    {
        var subscription = new DeviceSubscription(this);
        lock (_gate)
        {
            if (includeExisting)
            {
                foreach (var device in _byKey.Values) subscription.Write(new DeviceChange(DeviceChangeKind.Added, device, null, []));
            }
            _subscriptions.Add(subscription);
        }
        return subscription;
    }

    internal void Unsubscribe(DeviceSubscription subscription)
    {
        lock (_gate) _subscriptions.Remove(subscription);
    }

    private bool Mutate(DeviceKey key, DeviceChangeKind kind, Func<Device, Device> change)
    {
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var previous)) return false;
            var next = change(previous);
            if (ReferenceEquals(next, previous)) return false;
            _byKey[key] = next;
            PublishLocked(new DeviceChange(kind, next, previous, []));
        }
        return true;
    }

    private string AssignLocked(string preferred, DeviceKey key, out AddressClash clash)
    {
        clash = AddressClash.None;
        var stem = preferred;
        if (_isUserAccount(preferred))
        {
            clash = AddressClash.UserAccount;
            stem = preferred.Length + UserClashSuffix.Length <= DeviceLocalpart.MaxLength
                ? preferred + UserClashSuffix
                : preferred[..(DeviceLocalpart.MaxLength - UserClashSuffix.Length)] + UserClashSuffix;
        }
        var candidate = stem;
        for (var n = 2; Taken(candidate, key); n++)
        {
            if (clash == AddressClash.None) clash = AddressClash.OtherDevice;
            candidate = stem + "-" + n;
        }
        return candidate;
    }

    private bool Taken(string localpart, DeviceKey key) =>
        _isUserAccount(localpart) || (_byLocalpart.TryGetValue(localpart, out var holder) && holder != key);

    // Inside the lock so that every subscriber sees a device's changes in the order they were made; writing to a
    // bounded drop-oldest channel never blocks.
    private void PublishLocked(DeviceChange change)
    {
        foreach (var subscriber in _subscriptions) subscriber.Write(change);
    }
}
