using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Users;

public static class Profiles
{
    /// <summary>A local user's display name and avatar; the display name defaults to the localpart.</summary>
    public static (string? DisplayName, string? AvatarUrl) Get(Db db, string userId)
    {
        using var query = db.Command("SELECT displayname, avatar_url FROM matrix_profiles WHERE user_id = $u", ("$u", userId));
        using var row = query.ExecuteReader();
        if (row.Read()) return (row.IsDBNull(0) ? null : row.GetString(0), row.IsDBNull(1) ? null : row.GetString(1));
        var colon = userId.IndexOf(':');
        return (colon > 1 ? userId[1..colon] : userId, null);
    }

    public static void Set(Db db, string userId, string? displayName, string? avatarUrl) =>
        db.Execute("""
            INSERT INTO matrix_profiles (user_id, displayname, avatar_url) VALUES ($u, $n, $a)
            ON CONFLICT (user_id) DO UPDATE SET displayname = $n, avatar_url = $a
            """, ("$u", userId), ("$n", displayName), ("$a", avatarUrl));
}
