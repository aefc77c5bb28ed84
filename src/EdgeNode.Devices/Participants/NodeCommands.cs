using System.Text;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Topics;

namespace EdgeNode.Devices.Participants;

/// <summary>
/// What an administrator can write to the node participant. The verbs are the command line's (`edgenode device owner`,
/// `allow`, `disallow`) with the same arguments and the same stores, so a running node is administered from a chat
/// client as from a shell: owners apply within a second, MQTT grants (through <see cref="IDeviceAccountGrants"/>) from
/// the device's next connection.
/// </summary>
public sealed class NodeCommands(DeviceOwnerStore owners, IDeviceAccountGrants grants, DeviceRegistry registry, string devicesDomain,
    Func<string> status)
{
    public const string Help = """
        The node understands:
        status: temperature, load, memory, disk, uptime, clients and devices
        devices: every device with its state and owners
        owner DEVICE JID: JID owns DEVICE (from then on the administrators do not)
        disown DEVICE JID: JID no longer owns DEVICE
        allow NAME publish|subscribe|both FILTER: the MQTT device account NAME may use FILTER
        disallow NAME publish|subscribe|both FILTER: takes that back
        help: this list
        """;

    public string Execute(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return Help;
        var verb = words[0].ToLowerInvariant();
        var args = words[1..];
        return verb switch
        {
            "help" or "?" => Help,
            "status" or "state" => status(),
            "devices" or "list" => Devices(),
            "owner" => Arity(verb, args, 2, "DEVICE JID") ?? Owner(args[0], args[1], add: true),
            "disown" => Arity(verb, args, 2, "DEVICE JID") ?? Owner(args[0], args[1], add: false),
            "allow" or "disallow" => Arity(verb, args, 3, "NAME publish|subscribe|both FILTER") ?? Grant(verb == "allow", args[0], args[1], args[2]),
            _ => $"'{Echo(words[0])}' is not a node command. Try: status, devices, owner, disown, allow, disallow, help.",
        };
    }

    private static string? Arity(string verb, string[] args, int count, string shape) =>
        args.Length == count ? null : $"usage: {verb} {shape}";

    private string Devices()
    {
        var devices = registry.All.OrderBy(d => d.Localpart, StringComparer.Ordinal).ToList();
        if (devices.Count == 0) return "No devices yet.";
        var text = new StringBuilder();
        foreach (var device in devices)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append(device.Localpart).Append('@').Append(devicesDomain).Append(" (").Append(device.Convention).Append(", ")
                .Append(device.Availability.ToText()).Append("): owned by ")
                .Append(device.Access.Owners.Count == 0 ? "nobody" : string.Join(", ", device.Access.Owners));
        }
        return text.ToString();
    }

    // The device is named as in `edgenode device owner`: the local part of its address; its whole address is fine too.
    private string Owner(string deviceText, string ownerText, bool add)
    {
        var name = deviceText.ToLowerInvariant();
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (name[(at + 1)..] != devicesDomain) return $"'{Echo(deviceText)}' is not a device of this node (their addresses end in @{devicesDomain})";
            name = name[..at];
        }
        if (name.Length is 0 or > DeviceLocalpart.MaxLength || DeviceLocalpart.FromIdentifier(name) != name)
        {
            return $"'{Echo(deviceText)}' is not a device name (the local part of its chat address, e.g. plug1)";
        }
        if (!Jid.TryParse(ownerText, out var owner, out var problem) || owner.Local is null || !owner.IsBare)
        {
            return $"'{Echo(ownerText)}' is not a bare address such as alice@example.org{(problem is null ? "" : ": " + problem)}";
        }
        var address = name + "@" + devicesDomain;
        if (!add)
        {
            return owners.RemoveOwner(name, owner.ToString()) ? $"{owner} no longer owns {address}" : $"{owner} did not own {address}";
        }
        var answer = owners.AddOwner(name, owner.ToString()) ? $"{owner} now owns {address}" : $"{owner} already owns {address}";
        // Known now (the list of devices seen is written a second later), or seen by an earlier run of the node.
        bool seen = registry.FindByLocalpart(name) is not null || owners.WasSeen(name);
        return seen ? answer : answer + "\nnote: no device " + name + " has been seen yet; the owner applies when it appears";
    }

    private string Grant(bool allow, string name, string kindText, string filter)
    {
        if (grants.NameProblem(name) is { } problem) return $"'{Echo(name)}' is not a valid device name: {problem}";
        TopicDirection[]? directions = kindText.ToLowerInvariant() switch
        {
            "publish" => [TopicDirection.Publish],
            "subscribe" => [TopicDirection.Subscribe],
            "both" => [TopicDirection.Publish, TopicDirection.Subscribe],
            _ => null,
        };
        if (directions is null) return $"'{Echo(kindText)}' is not publish, subscribe or both";
        if (!grants.IsGrantable(filter))
        {
            return $"'{Echo(filter)}' is not a topic filter ('+' and '#' fill a whole level, '#' only the last)";
        }
        var changed = false;
        foreach (var direction in directions)
        {
            var change = grants.Change(name, direction, filter, allow);
            if (change == GrantChange.NoSuchAccount) return $"there is no MQTT device account {name} (add it with 'edgenode device add {name}')";
            changed |= change == GrantChange.Changed;
        }
        var verb = allow ? (changed ? "may now" : "already may") : (changed ? "may no longer" : "had no grant to");
        return $"device {name} {verb} {kindText.ToLowerInvariant()} {filter}" + (changed ? " (from its next connection)" : "");
    }

    private static string Echo(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
