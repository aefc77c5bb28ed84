using EdgeNode.Core.Storage;

namespace EdgeNode.Mqtt.Storage;

/// <summary>The MQTT component's tables: device accounts and ACLs, retained messages (with the account that stored each), persistent sessions.</summary>
public static class MqttMigrations
{
    public static MigrationSet Set { get; } = new("mqtt",
    [
        new Migration(1, "device accounts, ACLs, retained messages and persistent sessions", """
            CREATE TABLE mqtt_devices (
                name        TEXT PRIMARY KEY,
                salt        BLOB NOT NULL,
                iterations  INTEGER NOT NULL,
                stored_key  BLOB NOT NULL,
                server_key  BLOB NOT NULL,
                created_at  INTEGER NOT NULL);
            CREATE TABLE mqtt_acl (
                device  TEXT NOT NULL REFERENCES mqtt_devices(name) ON DELETE CASCADE,
                access  TEXT NOT NULL CHECK (access IN ('publish', 'subscribe')),
                filter  TEXT NOT NULL,
                PRIMARY KEY (device, access, filter));
            CREATE TABLE mqtt_retained (
                topic       BLOB PRIMARY KEY,
                payload     BLOB NOT NULL,
                qos         INTEGER NOT NULL,
                properties  BLOB NOT NULL,
                stored_at   INTEGER NOT NULL,
                expiry      INTEGER);
            CREATE TABLE mqtt_sessions (
                client_id        TEXT PRIMARY KEY,
                expiry_seconds   INTEGER NOT NULL,
                disconnected_at  INTEGER,
                username         TEXT);
            CREATE TABLE mqtt_subscriptions (
                client_id   TEXT NOT NULL REFERENCES mqtt_sessions(client_id) ON DELETE CASCADE,
                filter      TEXT NOT NULL,
                options     INTEGER NOT NULL,
                identifier  INTEGER NOT NULL,
                PRIMARY KEY (client_id, filter));
            CREATE TABLE mqtt_session_messages (
                client_id   TEXT NOT NULL REFERENCES mqtt_sessions(client_id) ON DELETE CASCADE,
                seq         INTEGER NOT NULL,
                topic       BLOB NOT NULL,
                payload     BLOB NOT NULL,
                qos         INTEGER NOT NULL,
                retain      INTEGER NOT NULL,
                properties  BLOB NOT NULL,
                stored_at   INTEGER NOT NULL,
                expiry      INTEGER,
                packet_id   INTEGER NOT NULL,
                state       INTEGER NOT NULL,
                PRIMARY KEY (client_id, seq));
            """),
        new Migration(2, "the account that stored each retained message, for the per-account retained limits", """
            ALTER TABLE mqtt_retained ADD COLUMN owner TEXT;
            """),
    ]);
}
