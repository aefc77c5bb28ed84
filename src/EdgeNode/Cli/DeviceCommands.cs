using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Modules;
using EdgeNode.Mqtt.Auth;

namespace EdgeNode.Cli;

/// <summary>
/// `edgenode device add|passwd|remove|list|allow|disallow|acl`: MQTT device accounts and their topic grants;
/// `edgenode device owner DEVICE JID`: who owns a device as a chat participant.
/// </summary>
public static class DeviceCommands
{
    public static CommandLine? Parse(string[] words, string? configPath, List<string> overrides, out string? problem)
    {
        problem = null;
        if (words.FirstOrDefault() == "owner" && words.Length > 1 && words[1] is "add" or "remove" or "list")
        {
            return ParseOwner(words, configPath, overrides, out problem);
        }

        (Verb verb, int arity, string shape)? form = words.FirstOrDefault() switch
        {
            "add" => (Verb.DeviceAdd, 1, "NAME"),
            "passwd" => (Verb.DevicePasswd, 1, "NAME"),
            "remove" => (Verb.DeviceRemove, 1, "NAME"),
            "list" => (Verb.DeviceList, 0, ""),
            "allow" => (Verb.DeviceAllow, 3, "NAME publish|subscribe|both FILTER"),
            "disallow" => (Verb.DeviceDisallow, 3, "NAME publish|subscribe|both FILTER"),
            "acl" => (Verb.DeviceAcl, 1, "NAME"),
            "owner" => (Verb.DeviceOwner, 2, "add|remove DEVICE JID, or: device owner list [DEVICE]"),
            "commander" => (Verb.DeviceCommander, 2, "DEVICE JID"),
            _ => null,
        };
        if (form is not { } f)
        {
            problem = "device needs one of: add, passwd, remove, list, allow, disallow, acl, owner, commander";
            return null;
        }

        if (words.Length - 1 != f.arity)
        {
            problem = f.arity == 0 ? $"device {words[0]} takes no arguments" : $"usage: device {words[0]} {f.shape}";
            return null;
        }

        if (f.arity == 3 && Kinds(words[2]) is null)
        {
            problem = $"device {words[0]}: '{words[2]}' is not publish, subscribe or both";
            return null;
        }

        return new CommandLine(f.verb, words[1..], configPath, overrides);
    }

    // `device owner add|remove DEVICE JID`, `device owner list [DEVICE]`; the older `device owner DEVICE JID` is add.
    private static CommandLine? ParseOwner(string[] words, string? configPath, List<string> overrides, out string? problem)
    {
        problem = null;
        var (verb, ok) = words[1] switch
        {
            "add" => (Verb.DeviceOwner, words.Length == 4),
            "remove" => (Verb.DeviceOwnerRemove, words.Length == 4),
            _ => (Verb.DeviceOwnerList, words.Length is 2 or 3),
        };
        if (!ok)
        {
            problem = words[1] == "list" ? "usage: device owner list [DEVICE]" : $"usage: device owner {words[1]} DEVICE JID";
            return null;
        }

        return new CommandLine(verb, words[2..], configPath, overrides);
    }

    public static int Run(CommandLine command, NodeOptions options, CliIo io)
    {
        string name = command.Arguments.Count > 0 ? command.Arguments[0] : "";
        if (command.Verb is Verb.DeviceOwner or Verb.DeviceOwnerRemove or Verb.DeviceCommander)
        {
            return Owner(command, options, io);
        }

        if (command.Verb is Verb.DeviceOwnerList)
        {
            return ListOwners(command, options, io);
        }

        if (command.Verb != Verb.DeviceList && !MqttDeviceStore.IsValidName(name, out string? problem))
        {
            return Fail(io, $"'{name}' is not a valid device name: {problem}", ExitCodes.Usage);
        }

        using var store = Store.Open(options.Node.DataDir, NodeModules.Migrations);
        var devices = new MqttDeviceStore(store);
        try
        {
            switch (command.Verb)
            {
                case Verb.DeviceList:
                    var chat = new Devices.Participants.DeviceOwnerStore(store);
                    foreach (string device in devices.List())
                    {
                        io.Out.WriteLine($"{device}  {Describe(chat, options, device)}");
                    }

                    return ExitCodes.Ok;
                case Verb.DeviceAdd:
                    if (devices.Exists(name))
                    {
                        return Fail(io, $"the device {name} already exists (use 'edgenode device passwd {name}' to change its password)");
                    }

                    if (PasswordReader.Read(io, $"device {name}") is not { } password)
                    {
                        return ExitCodes.Failure;
                    }

                    devices.Add(name, password);
                    io.Out.WriteLine($"created device {name}; it may use: {string.Join(" ", Expand(options, name))}");
                    return ExitCodes.Ok;
                case Verb.DevicePasswd:
                    if (!devices.Exists(name))
                    {
                        return Fail(io, $"there is no device {name}");
                    }

                    if (PasswordReader.Read(io, $"device {name}") is not { } newPassword)
                    {
                        return ExitCodes.Failure;
                    }

                    devices.SetPassword(name, newPassword);
                    io.Out.WriteLine($"changed the password of device {name}");
                    return ExitCodes.Ok;
                case Verb.DeviceRemove:
                    if (!devices.Remove(name))
                    {
                        return Fail(io, $"there is no device {name}");
                    }

                    io.Out.WriteLine($"removed device {name}");
                    return ExitCodes.Ok;
                case Verb.DeviceAllow or Verb.DeviceDisallow:
                    return Grant(command, devices, io, name);
                case Verb.DeviceAcl:
                    if (!devices.Exists(name))
                    {
                        return Fail(io, $"there is no device {name}");
                    }

                    foreach (string filter in Expand(options, name))
                    {
                        io.Out.WriteLine($"both      {filter}  (default)");
                    }

                    io.Out.WriteLine("subscribe $SYS/#  (default)");
                    foreach (string filter in options.Mqtt.DeviceSubscribeTopics)
                    {
                        io.Out.WriteLine($"subscribe {filter.Replace("{device}", name, StringComparison.Ordinal)}  (default)");
                    }

                    foreach (string filter in options.Mqtt.DeviceClaimTopics)
                    {
                        io.Out.WriteLine($"claim     {filter}  (default: the first device to publish there takes the '+' level)");
                    }

                    foreach ((MqttAccessKind kind, string filter) in devices.Grants(name))
                    {
                        io.Out.WriteLine($"{MqttDeviceStore.KindName(kind),-9} {filter}");
                    }

                    return ExitCodes.Ok;
                default:
                    throw new ArgumentOutOfRangeException(nameof(command), command.Verb, "not a device verb");
            }
        }
        catch (Exception e) when (e is DeviceExistsException or DeviceNotFoundException)
        {
            return Fail(io, e.Message);
        }
    }

    private static int ListOwners(CommandLine command, NodeOptions options, CliIo io)
    {
        using var store = Store.Open(options.Node.DataDir, NodeModules.Migrations);
        var owners = new Devices.Participants.DeviceOwnerStore(store);
        IEnumerable<string> devices = command.Arguments.Count > 0 ? [command.Arguments[0].ToLowerInvariant()] : owners.All().Keys;
        foreach (string device in devices)
        {
            io.Out.WriteLine($"{device}  {Describe(owners, options, device)}");
        }

        return ExitCodes.Ok;
    }

    // "owned by bob@pi.example; seen as Tasmota plug1 at 2026-12-07 21:04 UTC" (the chat name is the account's name for
    // conventions named by topic; a device not seen yet says so).
    private static string Describe(Devices.Participants.DeviceOwnerStore owners, NodeOptions options, string device)
    {
        string seen = owners.LastSeen(device) is { } last
            ? $"seen as {last.What} at {last.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC"
            : "not seen yet";
        return $"owned by {OwnerNames(owners, options, device)}; {seen}";
    }

    private static string OwnerNames(Devices.Participants.DeviceOwnerStore owners, NodeOptions options, string device) =>
        owners.OwnersOf(device) is { Length: > 0 } named
            ? string.Join(", ", named)
            : $"the node's administrators ({(options.Node.Admins.Count == 0 ? "none set" : string.Join(", ", options.Node.Admins))})";

    private static int Grant(CommandLine command, MqttDeviceStore devices, CliIo io, string name)
    {
        string filter = command.Arguments[2];
        if (!Mqtt.Topics.MqttTopic.IsValidTopicFilter(System.Text.Encoding.UTF8.GetBytes(filter)) || Mqtt.Topics.MqttTopic.IsShared(System.Text.Encoding.UTF8.GetBytes(filter)))
        {
            return Fail(io, $"'{filter}' is not a topic filter ('+' and '#' fill a whole level, '#' only the last)", ExitCodes.Usage);
        }

        bool allow = command.Verb == Verb.DeviceAllow;
        bool changed = false;
        foreach (MqttAccessKind kind in Kinds(command.Arguments[1])!)
        {
            changed |= allow ? devices.Allow(name, kind, filter) : devices.Disallow(name, kind, filter);
        }

        string verb = allow ? (changed ? "may now" : "already may") : (changed ? "may no longer" : "had no grant to");
        io.Out.WriteLine($"device {name} {verb} {command.Arguments[1]} {filter}");
        return ExitCodes.Ok;
    }

    // Devices are found at run time, so the owner is recorded by the device's chat name even before it is first seen:
    // a running node picks the change up within a second, takes the device from Node:Admins and gives it to the owner.
    private static int Owner(CommandLine command, NodeOptions options, CliIo io)
    {
        string device = command.Arguments[0].ToLowerInvariant();
        if (device.Length is 0 or > Core.Devices.DeviceLocalpart.MaxLength || Core.Devices.DeviceLocalpart.FromIdentifier(device) != device)
        {
            return Fail(io, $"'{command.Arguments[0]}' is not a device name (the local part of its chat address, e.g. plug1)", ExitCodes.Usage);
        }

        if (!Jid.TryParse(command.Arguments[1], out var owner, out string? problem) || owner.Local is null || !owner.IsBare)
        {
            return Fail(io, $"'{command.Arguments[1]}' is not a bare address such as alice@{options.Node.Domain}{(problem is null ? "" : ": " + problem)}", ExitCodes.Usage);
        }

        using var store = Store.Open(options.Node.DataDir, NodeModules.Migrations);
        var owners = new Devices.Participants.DeviceOwnerStore(store);
        if (command.Verb == Verb.DeviceOwnerRemove)
        {
            bool removed = owners.RemoveOwner(device, owner.ToString());
            io.Out.WriteLine(removed ? $"{owner} no longer owns {device}@{options.Node.Domain}" : $"{owner} did not own {device}@{options.Node.Domain}");
            io.Out.WriteLine($"{device} is now owned by {OwnerNames(owners, options, device)}");
            return ExitCodes.Ok;
        }

        if (string.Equals(owner.Domain, options.Node.Domain, StringComparison.OrdinalIgnoreCase) && !new AccountStore(store).Exists(owner))
        {
            io.Out.WriteLine($"warning: there is no account {owner} on this node (yet); the device will be in its roster once 'edgenode user add {owner}' makes it");
        }

        if (command.Verb == Verb.DeviceCommander)
        {
            bool granted = owners.AllowCommands(device, owner.ToString());
            io.Out.WriteLine(granted ? $"{owner} now owns {device}@{options.Node.Domain} and may command it" : $"{owner} already may command {device}@{options.Node.Domain}");
        }
        else
        {
            bool first = owners.OwnersOf(device).Length == 0;
            bool added = owners.AddOwner(device, owner.ToString());
            io.Out.WriteLine(added ? $"{owner} now owns {device}@{options.Node.Domain}" : $"{owner} already owns {device}@{options.Node.Domain}");
            io.Out.WriteLine(first && added
                ? $"{device} is now owned by {OwnerNames(owners, options, device)} instead of the node's administrators"
                : $"{device} is now owned by {OwnerNames(owners, options, device)} (to give it away, 'edgenode device owner remove {device} JID' the others)");
            if (!string.Equals(owner.Domain, options.Node.Domain, StringComparison.OrdinalIgnoreCase))
            {
                io.Out.WriteLine($"note: {owner} is on another server: they may see {device} but not command it unless you run 'edgenode device commander {device} {owner}'");
            }
        }
        if (!owners.WasSeen(device))
        {
            io.Out.WriteLine($"note: no device {device} has been seen yet; the owner applies when it appears");
        }

        return ExitCodes.Ok;
    }

    private static MqttAccessKind[]? Kinds(string word) => word switch
    {
        "publish" => [MqttAccessKind.Publish],
        "subscribe" => [MqttAccessKind.Subscribe],
        "both" => [MqttAccessKind.Publish, MqttAccessKind.Subscribe],
        _ => null,
    };

    private static IEnumerable<string> Expand(NodeOptions options, string name) =>
        options.Mqtt.DeviceTopics.Select(t => t.Replace("{device}", name, StringComparison.Ordinal));

    private static int Fail(CliIo io, string message, int code = ExitCodes.Failure)
    {
        io.Error.WriteLine($"edgenode: {message}");
        return code;
    }
}
