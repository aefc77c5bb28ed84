namespace EdgeNode.Core.Accounts;

/// <summary>
/// What one connection has already been charged by the login guard. A client that fails SCRAM often tries its next
/// mechanism on the same connection (SCRAM-SHA-1, then PLAIN) with the same password: that is one mistake, so a
/// connection counts one failure per account. A later password it shows in clear (PLAIN) is taken as the one the
/// uncounted SCRAM attempt used; a second, different clear password on the same connection counts again.
/// </summary>
public sealed class LoginCharges
{
    private string? _account;
    private bool _unseenPassword;

    /// <summary>True when this connection already counted a failure for <paramref name="account"/>.</summary>
    public bool HasCharged(string account) => _account == account;

    /// <summary>
    /// For a further failure of the charged account: true when it is covered by the charge already made (another
    /// mechanism without a visible password, or the first visible password after such attempts).
    /// </summary>
    internal bool TakeUnseenCharge(string account, bool showsPassword)
    {
        if (_account != account)
        {
            return false;
        }

        if (!showsPassword)
        {
            return true;
        }

        bool covered = _unseenPassword;
        _unseenPassword = false;
        return covered;
    }

    /// <summary>Notes a counted failure; <paramref name="unseenPassword"/> when the mechanism hid the password (SCRAM).</summary>
    internal void Charge(string account, bool unseenPassword)
    {
        _account = account;
        _unseenPassword = unseenPassword;
    }
}
