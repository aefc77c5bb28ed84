using EdgeNode.Core.Storage;

namespace EdgeNode.Xmpp.Storage;

/// <summary>The XMPP service's tables: rosters, offline messages (with their sender since step 2), vCards.</summary>
public static class XmppMigrations
{
    public static readonly MigrationSet Set = new("xmpp",
    [
        new(1, "rosters, offline messages and vCards", """
            CREATE TABLE xmpp_roster (
                owner        TEXT NOT NULL,
                contact      TEXT NOT NULL,
                name         TEXT,
                groups       TEXT NOT NULL DEFAULT '',
                subscription INTEGER NOT NULL DEFAULT 0,
                ask          INTEGER NOT NULL DEFAULT 0,
                approved     INTEGER NOT NULL DEFAULT 0,
                pending_in   INTEGER NOT NULL DEFAULT 0,
                in_roster    INTEGER NOT NULL DEFAULT 1,
                PRIMARY KEY (owner, contact)
            );
            CREATE TABLE xmpp_roster_version (
                owner   TEXT PRIMARY KEY NOT NULL,
                version INTEGER NOT NULL
            );
            CREATE TABLE xmpp_offline (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                owner      TEXT NOT NULL,
                stanza     BLOB NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX xmpp_offline_owner ON xmpp_offline (owner, id);
            CREATE TABLE xmpp_vcard (
                owner TEXT PRIMARY KEY NOT NULL,
                vcard BLOB NOT NULL
            );
            """),
        new(2, "offline messages know their sender (a quota per sender)", """
            ALTER TABLE xmpp_offline ADD COLUMN sender TEXT NOT NULL DEFAULT '';
            CREATE INDEX xmpp_offline_sender ON xmpp_offline (owner, sender);
            """),
    ]);
}
