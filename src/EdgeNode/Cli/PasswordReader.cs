namespace EdgeNode.Cli;

/// <summary>Reads a password: from a terminal twice and without echo, otherwise the first line of standard input.</summary>
public static class PasswordReader
{
    public static string? Read(CliIo io, string jid)
    {
        if (!io.Interactive) return io.In.ReadLine();
        var first = Prompt(io, $"Password for {jid}: ");
        var second = Prompt(io, "Again: ");
        if (first != second)
        {
            io.Error.WriteLine("edgenode: the passwords differ");
            return null;
        }
        return first;
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
