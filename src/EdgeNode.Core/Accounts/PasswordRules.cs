namespace EdgeNode.Core.Accounts;

/// <summary>
/// How a password is turned into the bytes that are hashed. RFC 8265's OpaqueString profile asks for Unicode
/// normalisation, which this globalization-free build cannot do; so the node takes the password's UTF-8 as it is
/// (exact for ASCII, which every client sends unchanged) and refuses what no profile allows: empty passwords and
/// control characters.
/// </summary>
public static class PasswordRules
{
    public static string Prepare(string password)
    {
        if (!IsAcceptable(password, out var problem)) throw new ArgumentException(problem, nameof(password));
        return password;
    }

    public static bool IsAcceptable(string password, out string? problem)
    {
        if (password.Length == 0) { problem = "the password is empty"; return false; }
        foreach (var c in password)
        {
            if (char.IsControl(c)) { problem = "the password contains a control character"; return false; }
        }
        problem = null;
        return true;
    }
}
