namespace EdgeNode.Core.Storage;

/// <summary>The core's schema history, oldest first: accounts and the node's own keys.</summary>
public static class CoreMigrations
{
    public static readonly MigrationSet Set = new("core",
    [
        new(1, "accounts and their SCRAM verifiers", """
            CREATE TABLE accounts (
                jid        TEXT PRIMARY KEY NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE credentials (
                jid        TEXT NOT NULL REFERENCES accounts(jid) ON DELETE CASCADE,
                mechanism  TEXT NOT NULL,
                salt       BLOB NOT NULL,
                iterations INTEGER NOT NULL,
                stored_key BLOB NOT NULL,
                server_key BLOB NOT NULL,
                PRIMARY KEY (jid, mechanism)
            );
            """),
        new(2, "the node's own keys (Matrix signing keys)", """
            CREATE TABLE node_keys (
                purpose    TEXT NOT NULL,
                key_id     TEXT NOT NULL,
                secret     BLOB NOT NULL,
                public     BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (purpose, key_id)
            );
            """),
        new(3, "operator unlocks of the login guard (edgenode user unlock), read by the running node", """
            CREATE TABLE login_unlocks (
                account     TEXT PRIMARY KEY NOT NULL,
                unlocked_at INTEGER NOT NULL
            );
            """),
    ]);
}
