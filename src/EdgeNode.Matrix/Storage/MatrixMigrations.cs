using EdgeNode.Core.Storage;

namespace EdgeNode.Matrix.Storage;

/// <summary>
/// The homeserver's tables. Every change a client can sync (events, account data, receipts, presence, to-device
/// messages, device-key changes) carries a "stream" position from one node-wide counter (<see cref="StreamClock"/>),
/// so that a sync token is one number.
/// </summary>
public static class MatrixMigrations
{
    public static readonly MigrationSet Set = new("matrix",
    [
        new(1, "rooms, the event graph, state groups, users' devices and data", """
            CREATE TABLE matrix_rooms (
                room_id    TEXT PRIMARY KEY NOT NULL,
                version    TEXT NOT NULL,
                creator    TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                published  INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE matrix_events (
                stream           INTEGER PRIMARY KEY NOT NULL,
                event_id         TEXT NOT NULL UNIQUE,
                room_id          TEXT NOT NULL,
                type             TEXT NOT NULL,
                state_key        TEXT,
                sender           TEXT NOT NULL,
                depth            INTEGER NOT NULL,
                origin_server_ts INTEGER NOT NULL,
                json             TEXT NOT NULL,
                state_group      INTEGER NOT NULL,
                rejected         INTEGER NOT NULL DEFAULT 0,
                redacted_by      TEXT,
                txn_device       TEXT,
                txn_id           TEXT
            );
            CREATE INDEX matrix_events_by_room ON matrix_events (room_id, stream);
            CREATE TABLE matrix_event_edges (
                event_id      TEXT NOT NULL,
                prev_event_id TEXT NOT NULL,
                PRIMARY KEY (event_id, prev_event_id)
            );
            CREATE TABLE matrix_event_auth (
                event_id      TEXT NOT NULL,
                auth_event_id TEXT NOT NULL,
                PRIMARY KEY (event_id, auth_event_id)
            );
            CREATE TABLE matrix_forward_extremities (
                room_id  TEXT NOT NULL,
                event_id TEXT NOT NULL,
                PRIMARY KEY (room_id, event_id)
            );
            CREATE TABLE matrix_state_groups (
                id         INTEGER PRIMARY KEY NOT NULL,
                room_id    TEXT NOT NULL,
                prev_group INTEGER,
                chain      INTEGER NOT NULL
            );
            CREATE TABLE matrix_state_entries (
                group_id  INTEGER NOT NULL,
                type      TEXT NOT NULL,
                state_key TEXT NOT NULL,
                event_id  TEXT NOT NULL,
                PRIMARY KEY (group_id, type, state_key)
            );
            CREATE TABLE matrix_current_state (
                room_id    TEXT NOT NULL,
                type       TEXT NOT NULL,
                state_key  TEXT NOT NULL,
                event_id   TEXT NOT NULL,
                membership TEXT,
                PRIMARY KEY (room_id, type, state_key)
            );
            CREATE INDEX matrix_current_state_members ON matrix_current_state (state_key, type);
            CREATE TABLE matrix_forgotten (
                user_id TEXT NOT NULL,
                room_id TEXT NOT NULL,
                PRIMARY KEY (user_id, room_id)
            );
            CREATE TABLE matrix_aliases (
                alias   TEXT PRIMARY KEY NOT NULL,
                room_id TEXT NOT NULL,
                creator TEXT NOT NULL
            );
            CREATE TABLE matrix_devices (
                user_id      TEXT NOT NULL,
                device_id    TEXT NOT NULL,
                display_name TEXT,
                created_at   INTEGER NOT NULL,
                last_seen_ts INTEGER,
                last_seen_ip TEXT,
                PRIMARY KEY (user_id, device_id)
            );
            CREATE TABLE matrix_access_tokens (
                token_hash BLOB PRIMARY KEY NOT NULL,
                user_id    TEXT NOT NULL,
                device_id  TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE matrix_txns (
                user_id    TEXT NOT NULL,
                device_id  TEXT NOT NULL,
                txn_id     TEXT NOT NULL,
                event_id   TEXT NOT NULL,
                PRIMARY KEY (user_id, device_id, txn_id)
            );
            CREATE TABLE matrix_profiles (
                user_id     TEXT PRIMARY KEY NOT NULL,
                displayname TEXT,
                avatar_url  TEXT
            );
            CREATE TABLE matrix_account_data (
                user_id TEXT NOT NULL,
                room_id TEXT NOT NULL,
                type    TEXT NOT NULL,
                content TEXT NOT NULL,
                stream  INTEGER NOT NULL,
                PRIMARY KEY (user_id, room_id, type)
            );
            CREATE TABLE matrix_receipts (
                room_id      TEXT NOT NULL,
                user_id      TEXT NOT NULL,
                receipt_type TEXT NOT NULL,
                thread_id    TEXT NOT NULL,
                event_id     TEXT NOT NULL,
                ts           INTEGER NOT NULL,
                stream       INTEGER NOT NULL,
                PRIMARY KEY (room_id, user_id, receipt_type, thread_id)
            );
            CREATE TABLE matrix_presence (
                user_id        TEXT PRIMARY KEY NOT NULL,
                presence       TEXT NOT NULL,
                status_msg     TEXT,
                last_active_ts INTEGER NOT NULL,
                stream         INTEGER NOT NULL
            );
            CREATE TABLE matrix_filters (
                user_id   TEXT NOT NULL,
                filter_id INTEGER NOT NULL,
                json      TEXT NOT NULL,
                PRIMARY KEY (user_id, filter_id)
            );
            CREATE TABLE matrix_device_keys (
                user_id   TEXT NOT NULL,
                device_id TEXT NOT NULL,
                json      TEXT NOT NULL,
                PRIMARY KEY (user_id, device_id)
            );
            CREATE TABLE matrix_one_time_keys (
                user_id   TEXT NOT NULL,
                device_id TEXT NOT NULL,
                algorithm TEXT NOT NULL,
                key_id    TEXT NOT NULL,
                json      TEXT NOT NULL,
                PRIMARY KEY (user_id, device_id, algorithm, key_id)
            );
            CREATE TABLE matrix_fallback_keys (
                user_id   TEXT NOT NULL,
                device_id TEXT NOT NULL,
                algorithm TEXT NOT NULL,
                key_id    TEXT NOT NULL,
                json      TEXT NOT NULL,
                used      INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (user_id, device_id, algorithm)
            );
            CREATE TABLE matrix_cross_signing_keys (
                user_id  TEXT NOT NULL,
                key_type TEXT NOT NULL,
                json     TEXT NOT NULL,
                PRIMARY KEY (user_id, key_type)
            );
            CREATE TABLE matrix_device_list_changes (
                stream  INTEGER PRIMARY KEY NOT NULL,
                user_id TEXT NOT NULL
            );
            CREATE TABLE matrix_to_device (
                stream    INTEGER PRIMARY KEY NOT NULL,
                user_id   TEXT NOT NULL,
                device_id TEXT NOT NULL,
                sender    TEXT NOT NULL,
                type      TEXT NOT NULL,
                content   TEXT NOT NULL
            );
            CREATE INDEX matrix_to_device_by_device ON matrix_to_device (user_id, device_id, stream);
            CREATE TABLE matrix_media (
                media_id     TEXT PRIMARY KEY NOT NULL,
                content_type TEXT NOT NULL,
                filename     TEXT,
                size         INTEGER NOT NULL,
                user_id      TEXT NOT NULL,
                created_at   INTEGER NOT NULL
            );
            """),
        new(2, "membership of member events as a column; media by uploader", """
            ALTER TABLE matrix_events ADD COLUMN membership TEXT;
            UPDATE matrix_events SET membership = json_extract(json, '$.content.membership') WHERE type = 'm.room.member';
            CREATE INDEX matrix_events_members ON matrix_events (room_id, state_key, membership) WHERE type = 'm.room.member';
            CREATE INDEX matrix_media_by_user ON matrix_media (user_id);
            """),
        new(3, "direct-message rooms between devices and their people", """
            CREATE TABLE matrix_device_rooms (
                device  TEXT NOT NULL,
                person  TEXT NOT NULL,
                room_id TEXT NOT NULL,
                PRIMARY KEY (device, person)
            );
            CREATE INDEX matrix_device_rooms_by_room ON matrix_device_rooms (room_id);
            """),
        new(4, "direct rooms between two people, and the XMPP ids of the events their XMPP messages became", """
            CREATE TABLE matrix_person_rooms (
                person_a TEXT NOT NULL,
                person_b TEXT NOT NULL,
                room_id  TEXT NOT NULL,
                PRIMARY KEY (person_a, person_b)
            );
            CREATE INDEX matrix_person_rooms_by_room ON matrix_person_rooms (room_id);
            CREATE TABLE matrix_bridged_events (
                event_id TEXT PRIMARY KEY NOT NULL,
                room_id  TEXT NOT NULL,
                xmpp_id  TEXT NOT NULL,
                sender   TEXT NOT NULL
            );
            CREATE INDEX matrix_bridged_events_by_xmpp_id ON matrix_bridged_events (room_id, xmpp_id);
            """),
    ]);

    /// <summary>The tables whose "stream" column the clock continues from after a restart.</summary>
    internal static readonly string[] StreamTables =
        ["matrix_events", "matrix_account_data", "matrix_receipts", "matrix_presence", "matrix_device_list_changes", "matrix_to_device"];
}
