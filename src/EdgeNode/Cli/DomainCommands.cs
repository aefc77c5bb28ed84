using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Modules;
using Microsoft.Data.Sqlite;

namespace EdgeNode.Cli;

/// <summary>`edgenode domain rename OLD NEW`: moves the accounts of a domain the node no longer serves.</summary>
public static class DomainCommands
{
    public static CommandLine? Parse(string[] words, string? configPath, IReadOnlyList<string> overrides, out string? problem)
    {
        problem = null;
        if (words is not ["rename", _, _])
        {
            problem = "domain needs: rename OLD NEW";
            return null;
        }
        return new CommandLine(Verb.DomainRename, words[1..], configPath, overrides);
    }

    public static int Run(CommandLine command, NodeOptions options, CliIo io)
    {
        string oldDomain = command.Arguments[0].ToLowerInvariant(), newDomain = command.Arguments[1].ToLowerInvariant();
        foreach (string domain in new[] { oldDomain, newDomain })
        {
            if (!Jid.TryParse(domain, out var jid, out var problem) || jid.Local is not null || !jid.IsBare)
                return Fail(io, $"'{domain}' is not a domain{(problem is null ? "" : $": {problem}")}", ExitCodes.Usage);
        }
        if (oldDomain == newDomain) return Fail(io, "OLD and NEW are the same domain", ExitCodes.Usage);
        if (RefuseWhileOpen(options, io)) return ExitCodes.Failure;

        using var store = Store.Open(options.Node.DataDir, NodeModules.Migrations);
        if (RefuseWhileOpen(options, io)) return ExitCodes.Failure;
        var moving = DomainRename.AccountsOn(store, oldDomain);
        if (moving.Count == 0) return Fail(io, $"there are no accounts on {oldDomain}");
        var existing = DomainRename.AccountsOn(store, newDomain).ToHashSet(StringComparer.Ordinal);
        var collisions = moving.Select(a => DomainRename.RenameJid(a, oldDomain, newDomain)!).Where(existing.Contains).ToArray();
        if (collisions.Length > 0)
            return Fail(io, $"{string.Join(", ", collisions)} already exist{(collisions.Length == 1 ? "s" : "")}: remove {(collisions.Length == 1 ? "it" : "them")} first (edgenode user remove) or pick another domain; nothing changed");

        List<DomainRename.Change> changes;
        try { changes = DomainRename.Run(store, oldDomain, newDomain); }
        catch (SqliteException e) { return Fail(io, $"the rename collided with rows already stored for {newDomain} ({e.Message}); nothing changed"); }

        io.Out.WriteLine($"renamed {moving.Count} account(s) from {oldDomain} to {newDomain}, in one transaction:");
        foreach (var change in changes.Where(c => c.Rows > 0)) io.Out.WriteLine($"  {change.What}: {change.Rows}");
        io.Out.WriteLine(DomainRename.CannotMove.Replace("OLD", oldDomain, StringComparison.Ordinal).Replace("NEW", newDomain, StringComparison.Ordinal));
        if (options.Node.Domain != newDomain)
            io.Out.WriteLine($"Node:Domain is {options.Node.Domain}: set it to {newDomain} before starting the node.");
        return ExitCodes.Ok;
    }

    /// <summary>The rename must have the database to itself: a running node would keep serving the old names from memory.</summary>
    private static bool RefuseWhileOpen(NodeOptions options, CliIo io)
    {
        var pids = Store.OpenElsewhere(options.Node.DataDir);
        if (pids.Count == 0) return false;
        Fail(io, $"the database is open in process {string.Join(", ", pids)} (a running node or another verb): stop the node first (sudo systemctl stop edgenode); nothing changed");
        return true;
    }

    private static int Fail(CliIo io, string message, int code = ExitCodes.Failure)
    {
        io.Error.WriteLine($"edgenode: {message}");
        return code;
    }
}
