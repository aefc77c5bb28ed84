using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Modules;

namespace EdgeNode.Cli;

/// <summary>`edgenode user add|passwd|remove|list|unlock`.</summary>
public static class UserCommands
{
    public static int Run(CommandLine command, NodeOptions options, CliIo io)
    {
        Jid jid = default;
        if (command.Arguments.Count == 1 && !TryAccountAddress(command.Arguments[0], options, io, out jid)) return ExitCodes.Usage;

        using var store = Store.Open(options.Node.DataDir, NodeModules.Migrations);
        var accounts = new AccountStore(store);
        switch (command.Verb)
        {
            case Verb.UserList:
                foreach (var account in accounts.List()) io.Out.WriteLine(account);
                return ExitCodes.Ok;
            case Verb.UserRemove:
                if (!new AccountRemoval(store, NodeModules.StoredAccountHolders()).Remove(jid)) return Fail(io, $"there is no account {jid}");
                // A running node notices within seconds and ends the account's sessions and room memberships.
                io.Out.WriteLine($"removed {jid} with its rosters, offline messages, Matrix devices and device ownership");
                return ExitCodes.Ok;
            case Verb.UserUnlock:
                if (!accounts.Exists(jid)) return Fail(io, $"there is no account {jid}");
                new LoginUnlocks(store, TimeProvider.System).Request(jid);
                // The running node reads the request the next time the guard would make the account wait.
                io.Out.WriteLine($"unlocked {jid}: the node forgets its failed logins from every address and lets it log in at once");
                return ExitCodes.Ok;
            case Verb.UserAdd:
                if (accounts.Exists(jid)) return Fail(io, $"the account {jid} already exists (use 'edgenode user passwd {jid}' to change its password)");
                if (PasswordReader.Read(io, jid.ToString()) is not { } password) return ExitCodes.Failure;
                try { accounts.Add(jid, password); }
                catch (AccountExistsException e) { return Fail(io, e.Message); }
                io.Out.WriteLine($"created {jid}");
                return ExitCodes.Ok;
            case Verb.UserPasswd:
                if (!accounts.Exists(jid)) return Fail(io, $"there is no account {jid}");
                if (PasswordReader.Read(io, jid.ToString()) is not { } newPassword) return ExitCodes.Failure;
                try { accounts.SetPassword(jid, newPassword); }
                catch (AccountNotFoundException e) { return Fail(io, e.Message); }
                io.Out.WriteLine($"changed the password of {jid}");
                return ExitCodes.Ok;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command.Verb, "not a user verb");
        }
    }

    /// <summary>An account address on this node; a bare local part means one on the node's domain.</summary>
    private static bool TryAccountAddress(string text, NodeOptions options, CliIo io, out Jid jid)
    {
        var full = text.Contains('@') ? text : $"{text}@{options.Node.Domain}";
        if (!Jid.TryParse(full, out jid, out var problem))
        {
            io.Error.WriteLine($"edgenode: '{text}' is not a valid address: {problem}");
            return false;
        }
        if (!jid.IsBare || jid.Local is null)
        {
            io.Error.WriteLine($"edgenode: '{text}' must be an account address such as alice@{options.Node.Domain}");
            return false;
        }
        if (jid.Domain != options.Node.Domain)
        {
            io.Error.WriteLine($"edgenode: {jid} is not on this node's domain ({options.Node.Domain}; set Node:Domain to change it)");
            return false;
        }
        return true;
    }

    private static int Fail(CliIo io, string message)
    {
        io.Error.WriteLine($"edgenode: {message}");
        return ExitCodes.Failure;
    }
}
