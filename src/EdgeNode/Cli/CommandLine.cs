namespace EdgeNode.Cli;

public enum Verb { Run, UserAdd, UserPasswd, UserRemove, UserList, UserUnlock, CheckConfig, Version, Help, DeviceAdd, DevicePasswd, DeviceRemove, DeviceList, DeviceAllow, DeviceDisallow, DeviceAcl, DeviceOwner, DeviceOwnerRemove, DeviceOwnerList, DeviceCommander, FederationStatus, FederationCheck, TlsShow, CheckDb, DomainRename }

/// <summary>A parsed command line: the verb, its arguments, the configuration file and `--Section:Key=value` overrides.</summary>
public sealed record CommandLine(Verb Verb, IReadOnlyList<string> Arguments, string? ConfigPath, IReadOnlyList<string> Overrides)
{
    public const string Usage = """
        usage: edgenode [VERB] [--config PATH] [--Section:Key=value ...]

        verbs:
          run                    run the node (the default)
          user add JID           create an account; the password is read from standard input
          user passwd JID        change an account's password (read from standard input)
          user remove JID        delete an account
          user list              list the accounts
          user unlock JID        let an account that failed to log in too often log in again at once
          device add NAME        create an MQTT device account; the password is read from standard input
          device passwd NAME     change a device's password (read from standard input)
          device remove NAME     delete a device account
          device list            list the device accounts with their owners and when each was last seen
          device allow NAME publish|subscribe|both FILTER
                                 let a device use topics beyond its default ones
          device disallow NAME publish|subscribe|both FILTER
                                 take such a grant back
          device acl NAME        show every topic filter a device may use
          device owner add DEVICE JID
                                 add an owner to a chat device (plug1); the first replaces Node:Admins
          device owner remove DEVICE JID
                                 take an owner away (with none left, Node:Admins own it again)
          device owner list [DEVICE]
                                 show the owners of one device or of all
          device commander DEVICE JID
                                 an owner who may also command it (needed for owners on other servers)
          federation status      list the running node's server-to-server streams and how each authenticated
          federation check DOMAIN
                                 resolve, connect, TLS, certificate and authentication with DOMAIN, in words
          domain rename OLD NEW  move the accounts of OLD (rosters, offline messages, device owners, Matrix
                                 profiles and account data) to NEW while the node is stopped
          tls show               the TLS certificate in use and its SHA-256 and SHA-1 fingerprints
          check-config           validate the configuration and print every problem
          check-db               check the whole database file for damage (exit 0 sound, 1 damaged)
          --version              print the version
          --help                 print this text

        configuration: edgenode.json in the working directory (or --config PATH), then
        environment variables EDGENODE_Section__Key, then --Section:Key=value options.
        """;

    /// <summary>Parses <paramref name="args"/>; returns null with <paramref name="problem"/> set when they make no sense.</summary>
    public static CommandLine? Parse(IReadOnlyList<string> args, out string? problem)
    {
        problem = null;
        string? configPath = null;
        var overrides = new List<string>();
        var words = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--version" or "-V") { words.Insert(0, "--version"); continue; }
            if (arg is "--help" or "-h") { words.Insert(0, "--help"); continue; }
            if (arg == "--config" || arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                if (arg == "--config")
                {
                    if (i + 1 >= args.Count) { problem = "--config needs a file path"; return null; }
                    configPath = args[++i];
                }
                else configPath = arg["--config=".Length..];
                continue;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains(':'))
            {
                // --Section:Key=value or --Section:Key value, the form Microsoft.Extensions.Configuration reads.
                if (arg.Contains('=')) overrides.Add(arg);
                else if (i + 1 < args.Count) { overrides.Add(arg + "=" + args[++i]); }
                else { problem = $"{arg} needs a value"; return null; }
                continue;
            }
            if (arg.StartsWith('-')) { problem = $"unknown option {arg}"; return null; }
            words.Add(arg);
        }

        if (words.Count == 0) return new CommandLine(Verb.Run, [], configPath, overrides);
        var rest = words.Skip(1).ToArray();
        switch (words[0])
        {
            case "--version": return new CommandLine(Verb.Version, [], configPath, overrides);
            case "--help" or "help": return new CommandLine(Verb.Help, [], configPath, overrides);
            case "run" when rest.Length == 0: return new CommandLine(Verb.Run, [], configPath, overrides);
            case "check-config" when rest.Length == 0: return new CommandLine(Verb.CheckConfig, [], configPath, overrides);
            case "check-db" when rest.Length == 0: return new CommandLine(Verb.CheckDb, [], configPath, overrides);
            case "user": return ParseUser(rest, configPath, overrides, out problem);
            case "device": return DeviceCommands.Parse(rest, configPath, overrides, out problem);
            case "federation": return FederationCommands.Parse(rest, configPath, overrides, out problem);
            case "domain": return DomainCommands.Parse(rest, configPath, overrides, out problem);
            case "tls" when rest is ["show"]: return new CommandLine(Verb.TlsShow, [], configPath, overrides);
            case "tls": problem = "tls needs: show"; return null;
            case "run" or "check-config" or "check-db": problem = $"{words[0]} takes no arguments"; return null;
            default: problem = $"unknown verb '{words[0]}'"; return null;
        }
    }

    private static CommandLine? ParseUser(string[] words, string? configPath, List<string> overrides, out string? problem)
    {
        problem = null;
        (Verb verb, int arity)? shape = words.FirstOrDefault() switch
        {
            "add" => (Verb.UserAdd, 1),
            "passwd" => (Verb.UserPasswd, 1),
            "remove" => (Verb.UserRemove, 1),
            "list" => (Verb.UserList, 0),
            "unlock" => (Verb.UserUnlock, 1),
            _ => null,
        };
        if (shape is not { } s) { problem = "user needs one of: add, passwd, remove, list, unlock"; return null; }
        if (words.Length - 1 != s.arity)
        {
            problem = s.arity == 0 ? $"user {words[0]} takes no arguments" : $"user {words[0]} needs exactly one address (JID)";
            return null;
        }
        return new CommandLine(s.verb, words[1..], configPath, overrides);
    }
}
