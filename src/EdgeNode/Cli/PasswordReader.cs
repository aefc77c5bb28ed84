using EdgeNode.Core.Accounts;

namespace EdgeNode.Cli;

/// <summary>Reads a password: from a terminal twice and without echo, otherwise the first line of standard input.</summary>
public static class PasswordReader
{
    /// <summary>
    /// The password for <paramref name="who"/>, or null after one line on standard error saying why there is none
    /// (none given, the two entries differ, or the password is not acceptable).
    /// </summary>
    public static string? Read(CliIo io, string who)
    {
        string? password = io.Interactive ? ReadTwice(io, who) : io.In.ReadLine();
        string? problem = null;
        if (password is null) problem = io.Interactive ? "the passwords differ" : "no password given on standard input";
        else if (!PasswordRules.IsAcceptable(password, out problem)) password = null;
        if (password is null) io.Error.WriteLine($"edgenode: {problem}");
        return password;
    }

    private static string? ReadTwice(CliIo io, string who)
    {
        var first = Prompt(io, $"Password for {who}: ");
        var second = Prompt(io, "Again: ");
        return first == second ? first : null;
    }

    private static string Prompt(CliIo io, string prompt)
    {
        io.Error.Write(prompt);
        var chars = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (chars.Length > 0) chars.Length--; continue; }
            chars.Append(key.KeyChar);
        }
        io.Error.WriteLine();
        return chars.ToString();
    }
}
