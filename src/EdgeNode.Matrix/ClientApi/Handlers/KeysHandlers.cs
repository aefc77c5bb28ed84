using System.Text.Json.Nodes;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>
/// The end-to-end encryption relay: the node stores and hands out device keys, one-time and fallback keys and
/// cross-signing keys, and carries to-device messages. It never sees a message key: clients encrypt and decrypt.
/// </summary>
internal static class KeysHandlers
{
    public static void Map(ClientApiEndpoints.Mapper map)
    {
        map.Client("POST", "/keys/upload", Upload);
        map.Client("POST", "/keys/query", Query);
        map.Client("POST", "/keys/claim", Claim);
        map.Client("GET", "/keys/changes", Changes);
        map.Client("PUT", "/sendToDevice/{eventType}/{txnId}", SendToDevice);
        map.Client("POST", "/keys/device_signing/upload", DeviceSigningUpload);
        map.Client("POST", "/keys/signatures/upload", SignaturesUpload);
        map.Client("GET", "/room_keys/version", r => throw MatrixException.NotFound("No current backup version"));
    }

    /// <summary>The user and everyone who is joined to or invited into a room the user is joined to.</summary>
    public static HashSet<string> UsersSharingRooms(Db db, string userId)
    {
        var users = new HashSet<string>(StringComparer.Ordinal) { userId };
        using var query = db.Command("""
            SELECT DISTINCT state_key FROM matrix_current_state WHERE type = 'm.room.member' AND membership IN ('join', 'invite')
            AND room_id IN (SELECT room_id FROM matrix_current_state WHERE type = 'm.room.member' AND state_key = $u AND membership = 'join')
            """, ("$u", userId));
        using var rows = query.ExecuteReader();
        while (rows.Read()) users.Add(rows.GetString(0));
        return users;
    }

    public static JsonObject OneTimeKeyCounts(Db db, string userId, string deviceId)
    {
        var counts = new JsonObject { ["signed_curve25519"] = 0 };
        using var query = db.Command("SELECT algorithm, count(*) FROM matrix_one_time_keys WHERE user_id = $u AND device_id = $d GROUP BY algorithm", ("$u", userId), ("$d", deviceId));
        using var rows = query.ExecuteReader();
        while (rows.Read()) counts[rows.GetString(0)] = rows.GetInt64(1);
        return counts;
    }

    public static JsonArray UnusedFallbackKeyTypes(Db db, string userId, string deviceId)
    {
        using var query = db.Command("SELECT algorithm FROM matrix_fallback_keys WHERE user_id = $u AND device_id = $d AND used = 0", ("$u", userId), ("$d", deviceId));
        using var rows = query.ExecuteReader();
        var list = new JsonArray();
        while (rows.Read()) list.Add((JsonNode)rows.GetString(0));
        return list;
    }

    private static (string Algorithm, string KeyId) SplitKeyId(string id)
    {
        var colon = id.IndexOf(':');
        if (colon < 1 || colon == id.Length - 1) throw MatrixException.BadJson($"'{id}' is not an algorithm:key_id name");
        return (id[..colon], id[(colon + 1)..]);
    }

    private static async Task Upload(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var deviceKeys = JsonBody.OptObject(body, "device_keys");
        if (deviceKeys is not null && (JsonBody.OptString(deviceKeys, "user_id") != r.UserId || JsonBody.OptString(deviceKeys, "device_id") != r.DeviceId))
            throw MatrixException.InvalidParam("device_keys must name your user and device");
        var oneTime = JsonBody.OptObject(body, "one_time_keys");
        var fallback = JsonBody.OptObject(body, "fallback_keys") ?? JsonBody.OptObject(body, "org.matrix.msc2732.fallback_keys");
        var counts = r.Server.Write(db =>
        {
            if (deviceKeys is not null)
            {
                var json = deviceKeys.ToJsonString();
                var old = db.Scalar("SELECT json FROM matrix_device_keys WHERE user_id = $u AND device_id = $d", ("$u", r.UserId), ("$d", r.DeviceId)) as string;
                if (old != json)
                {
                    db.Execute("INSERT INTO matrix_device_keys (user_id, device_id, json) VALUES ($u, $d, $j) ON CONFLICT (user_id, device_id) DO UPDATE SET json = $j",
                        ("$u", r.UserId), ("$d", r.DeviceId), ("$j", json));
                    Sessions.DeviceListChanged(db, r.UserId);
                }
            }
            if (oneTime is not null)
            {
                foreach (var (id, key) in oneTime)
                {
                    var (algorithm, keyId) = SplitKeyId(id);
                    db.Execute("INSERT OR IGNORE INTO matrix_one_time_keys (user_id, device_id, algorithm, key_id, json) VALUES ($u, $d, $a, $k, $j)",
                        ("$u", r.UserId), ("$d", r.DeviceId), ("$a", algorithm), ("$k", keyId), ("$j", key?.ToJsonString() ?? "null"));
                }
            }
            if (fallback is not null)
            {
                foreach (var (id, key) in fallback)
                {
                    var (algorithm, keyId) = SplitKeyId(id);
                    db.Execute("""
                        INSERT INTO matrix_fallback_keys (user_id, device_id, algorithm, key_id, json, used) VALUES ($u, $d, $a, $k, $j, 0)
                        ON CONFLICT (user_id, device_id, algorithm) DO UPDATE SET key_id = $k, json = $j, used = 0
                        """, ("$u", r.UserId), ("$d", r.DeviceId), ("$a", algorithm), ("$k", keyId), ("$j", key?.ToJsonString() ?? "null"));
                }
            }
            return OneTimeKeyCounts(db, r.UserId, r.DeviceId);
        });
        await r.JsonAsync(new JsonObject { ["one_time_key_counts"] = counts }).ConfigureAwait(false);
    }

    private static async Task Query(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var wanted = JsonBody.OptObject(body, "device_keys") ?? throw MatrixException.MissingParam("device_keys is required");
        var result = r.Server.Read(db =>
        {
            var deviceKeys = new JsonObject();
            var master = new JsonObject();
            var selfSigning = new JsonObject();
            var userSigning = new JsonObject();
            foreach (var (user, devicesNode) in wanted)
            {
                var devices = JsonBody.StringList(devicesNode as JsonArray ?? (devicesNode is null ? null : throw MatrixException.BadJson("device_keys values must be arrays")), "device_keys");
                var byDevice = new JsonObject();
                using (var query = db.Command("""
                    SELECT k.device_id, k.json, d.display_name FROM matrix_device_keys k
                    LEFT JOIN matrix_devices d ON d.user_id = k.user_id AND d.device_id = k.device_id WHERE k.user_id = $u
                    """, ("$u", user)))
                using (var rows = query.ExecuteReader())
                {
                    while (rows.Read())
                    {
                        if (devices.Count > 0 && !devices.Contains(rows.GetString(0))) continue;
                        var keys = JsonBody.Parse(rows.GetString(1));
                        if (!rows.IsDBNull(2)) keys["unsigned"] = new JsonObject { ["device_display_name"] = rows.GetString(2) };
                        byDevice[rows.GetString(0)] = keys;
                    }
                }
                deviceKeys[user] = byDevice;
                using (var query = db.Command("SELECT key_type, json FROM matrix_cross_signing_keys WHERE user_id = $u", ("$u", user)))
                using (var rows = query.ExecuteReader())
                {
                    while (rows.Read())
                    {
                        var target = rows.GetString(0) switch { "master" => master, "self_signing" => selfSigning, _ => user == r.UserId ? userSigning : null };
                        if (target is not null) target[user] = JsonBody.Parse(rows.GetString(1));
                    }
                }
            }
            return new JsonObject
            {
                ["device_keys"] = deviceKeys,
                ["failures"] = new JsonObject(),
                ["master_keys"] = master,
                ["self_signing_keys"] = selfSigning,
                ["user_signing_keys"] = userSigning,
            };
        });
        await r.JsonAsync(result).ConfigureAwait(false);
    }

    private static async Task Claim(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var wanted = JsonBody.OptObject(body, "one_time_keys") ?? throw MatrixException.MissingParam("one_time_keys is required");
        var result = r.Server.Write(db =>
        {
            var claimed = new JsonObject();
            foreach (var (user, devicesNode) in wanted)
            {
                if (devicesNode is not JsonObject devices) throw MatrixException.BadJson("one_time_keys values must be objects");
                var byDevice = new JsonObject();
                foreach (var (device, algorithmNode) in devices)
                {
                    if (algorithmNode is not JsonValue av || !av.TryGetValue(out string? algorithm)) throw MatrixException.BadJson("algorithms must be strings");
                    string? keyId = null, json = null;
                    using (var query = db.Command("SELECT key_id, json FROM matrix_one_time_keys WHERE user_id = $u AND device_id = $d AND algorithm = $a LIMIT 1",
                               ("$u", user), ("$d", device), ("$a", algorithm)))
                    using (var row = query.ExecuteReader())
                        if (row.Read()) { keyId = row.GetString(0); json = row.GetString(1); }
                    if (keyId is not null)
                    {
                        db.Execute("DELETE FROM matrix_one_time_keys WHERE user_id = $u AND device_id = $d AND algorithm = $a AND key_id = $k",
                            ("$u", user), ("$d", device), ("$a", algorithm), ("$k", keyId));
                    }
                    else
                    {
                        using var query = db.Command("SELECT key_id, json FROM matrix_fallback_keys WHERE user_id = $u AND device_id = $d AND algorithm = $a",
                            ("$u", user), ("$d", device), ("$a", algorithm));
                        using var row = query.ExecuteReader();
                        if (row.Read()) { keyId = row.GetString(0); json = row.GetString(1); }
                        if (keyId is not null)
                            db.Execute("UPDATE matrix_fallback_keys SET used = 1 WHERE user_id = $u AND device_id = $d AND algorithm = $a", ("$u", user), ("$d", device), ("$a", algorithm));
                    }
                    if (keyId is not null) byDevice[device] = new JsonObject { [algorithm + ":" + keyId] = JsonNode.Parse(json!) };
                }
                if (byDevice.Count > 0) claimed[user] = byDevice;
            }
            return new JsonObject { ["one_time_keys"] = claimed, ["failures"] = new JsonObject() };
        });
        await r.JsonAsync(result).ConfigureAwait(false);
    }

    private static Task Changes(MatrixRequest r)
    {
        var from = EventHandlers.ParseToken(r.Query("from") ?? throw MatrixException.MissingParam("from is required"));
        var to = EventHandlers.ParseToken(r.Query("to")) ?? long.MaxValue;
        var changed = r.Server.Read(db =>
        {
            var shared = UsersSharingRooms(db, r.UserId);
            var set = new SortedSet<string>(StringComparer.Ordinal);
            using var query = db.Command("SELECT DISTINCT user_id FROM matrix_device_list_changes WHERE stream > $f AND stream <= $t", ("$f", from), ("$t", to));
            using var rows = query.ExecuteReader();
            while (rows.Read()) if (shared.Contains(rows.GetString(0))) set.Add(rows.GetString(0));
            return set;
        });
        return r.JsonAsync(new JsonObject { ["changed"] = new JsonArray([.. changed.Select(u => (JsonNode)u)]), ["left"] = new JsonArray() });
    }

    private static async Task SendToDevice(MatrixRequest r)
    {
        var type = r.Route("eventType");
        var txnId = "todevice:" + r.Route("txnId");
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var messages = JsonBody.OptObject(body, "messages") ?? throw MatrixException.MissingParam("messages is required");
        var maxPending = r.Server.Options.MaxPendingToDevicePerDevice;
        var dropped = r.Server.Write(db =>
        {
            var full = new List<string>();
            if (db.Scalar("SELECT 1 FROM matrix_txns WHERE user_id = $u AND device_id = $d AND txn_id = $t", ("$u", r.UserId), ("$d", r.DeviceId), ("$t", txnId)) is not null)
                return full;
            foreach (var (user, devicesNode) in messages)
            {
                if (devicesNode is not JsonObject devices) throw MatrixException.BadJson("messages values must be objects");
                if (r.Server.LocalPart(user) is null) continue; // remote users wait for federation
                // Only devices that exist get messages: a device ID nobody holds (or a user who does not exist) would keep
                // them for ever, and "*" means the user's known devices (client-server API, Send-to-Device messaging).
                var known = Sessions.Devices(db, user);
                foreach (var (device, content) in devices)
                {
                    if (content is not JsonObject c) throw MatrixException.BadJson("to-device content must be an object");
                    var json = c.ToJsonString();
                    List<string> targets = device == "*" ? known : known.Contains(device) ? [device] : [];
                    foreach (var target in targets)
                        if (!ToDeviceInbox.Enqueue(db, user, target, r.UserId, type, json, maxPending)) full.Add(user + " " + target);
                }
            }
            db.Execute("INSERT INTO matrix_txns (user_id, device_id, txn_id, event_id) VALUES ($u, $d, $t, '')", ("$u", r.UserId), ("$d", r.DeviceId), ("$t", txnId));
            return full;
        });
        foreach (var target in dropped) MatrixLog.ToDeviceQueueFull(r.Server.Logger, target, r.UserId, maxPending);
        await r.EmptyAsync().ConfigureAwait(false);
    }

    private static async Task DeviceSigningUpload(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var existing = r.Server.Read(db => db.Scalar("SELECT 1 FROM matrix_cross_signing_keys WHERE user_id = $u", ("$u", r.UserId)) is not null);
        // Replacing cross-signing keys needs the password; the first upload does not (as the spec allows).
        if (existing && !await UserDataHandlers.PasswordAuthAsync(r, body).ConfigureAwait(false)) return;
        var keys = new List<(string Type, JsonObject Key)>();
        foreach (var (field, type) in new[] { ("master_key", "master"), ("self_signing_key", "self_signing"), ("user_signing_key", "user_signing") })
        {
            if (JsonBody.OptObject(body, field) is not { } key) continue;
            if (JsonBody.OptString(key, "user_id") != r.UserId) throw MatrixException.InvalidParam($"{field} must name your user");
            keys.Add((type, key));
        }
        r.Server.Write(db =>
        {
            foreach (var (type, key) in keys)
                db.Execute("INSERT INTO matrix_cross_signing_keys (user_id, key_type, json) VALUES ($u, $t, $j) ON CONFLICT (user_id, key_type) DO UPDATE SET json = $j",
                    ("$u", r.UserId), ("$t", type), ("$j", key.ToJsonString()));
            Sessions.DeviceListChanged(db, r.UserId);
        });
        await r.EmptyAsync().ConfigureAwait(false);
    }

    private static async Task SignaturesUpload(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var failures = new JsonObject();
        r.Server.Write(db =>
        {
            foreach (var (user, objects) in body)
            {
                if (objects is not JsonObject byKey) throw MatrixException.BadJson("signatures upload values must be objects");
                foreach (var (keyOrDevice, signedNode) in byKey)
                {
                    if (signedNode is not JsonObject signed || JsonBody.OptObject(signed, "signatures") is not { } signatures) continue;
                    var target = FindSignable(db, user, keyOrDevice);
                    if (target is null)
                    {
                        if (failures[user] is not JsonObject f) failures[user] = f = new JsonObject();
                        f[keyOrDevice] = new JsonObject { ["errcode"] = "M_NOT_FOUND", ["error"] = "Unknown key" };
                        continue;
                    }
                    var (table, column, key, json) = target.Value;
                    if (json["signatures"] is not JsonObject existing) json["signatures"] = existing = new JsonObject();
                    foreach (var (signer, sigs) in signatures)
                    {
                        if (sigs is not JsonObject sigObject) continue;
                        if (existing[signer] is not JsonObject bySigner) existing[signer] = bySigner = new JsonObject();
                        foreach (var (sigKey, sig) in sigObject) bySigner[sigKey] = sig?.DeepClone();
                    }
                    db.Execute($"UPDATE {table} SET json = $j WHERE user_id = $u AND {column} = $k", ("$j", json.ToJsonString()), ("$u", user), ("$k", key));
                    Sessions.DeviceListChanged(db, user);
                }
            }
        });
        await r.JsonAsync(new JsonObject { ["failures"] = failures }).ConfigureAwait(false);
    }

    /// <summary>A device's keys (by device ID) or a cross-signing key (by its public key) that a signature upload names.</summary>
    private static (string Table, string Column, string Key, JsonObject Json)? FindSignable(Db db, string user, string keyOrDevice)
    {
        if (db.Scalar("SELECT json FROM matrix_device_keys WHERE user_id = $u AND device_id = $d", ("$u", user), ("$d", keyOrDevice)) is string deviceJson)
            return ("matrix_device_keys", "device_id", keyOrDevice, JsonBody.Parse(deviceJson));
        using var query = db.Command("SELECT key_type, json FROM matrix_cross_signing_keys WHERE user_id = $u", ("$u", user));
        using var rows = query.ExecuteReader();
        while (rows.Read())
        {
            var json = JsonBody.Parse(rows.GetString(1));
            if (json["keys"] is JsonObject keys && keys.Any(k => k.Key.EndsWith(":" + keyOrDevice, StringComparison.Ordinal)))
                return ("matrix_cross_signing_keys", "key_type", rows.GetString(0), json);
        }
        return null;
    }
}
