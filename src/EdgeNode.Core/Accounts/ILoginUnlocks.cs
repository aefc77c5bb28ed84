namespace EdgeNode.Core.Accounts;

/// <summary>Where the login guard learns that an operator unlocked an account (`edgenode user unlock`).</summary>
public interface ILoginUnlocks
{
    /// <summary>When <paramref name="account"/> was last unlocked, or null if never.</summary>
    DateTimeOffset? UnlockedAt(string account);
}
