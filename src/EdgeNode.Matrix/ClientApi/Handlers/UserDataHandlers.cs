using System.Text.Json.Nodes;
using EdgeNode.Core.Addressing;
using EdgeNode.Matrix.Rooms;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>Profiles, account data, push rules, pushers and devices.</summary>
internal static class UserDataHandlers
{
    public static void Map(ClientApiEndpoints.Mapper map)
    {
        map.Client("GET", "/profile/{userId}", r => Profile(r, null), auth: false);
        map.Client("GET", "/profile/{userId}/displayname", r => Profile(r, "displayname"), auth: false);
        map.Client("GET", "/profile/{userId}/avatar_url", r => Profile(r, "avatar_url"), auth: false);
        map.Client("PUT", "/profile/{userId}/displayname", r => SetProfile(r, "displayname"));
        map.Client("PUT", "/profile/{userId}/avatar_url", r => SetProfile(r, "avatar_url"));
        map.Client("GET", "/user/{userId}/account_data/{type}", r => GetAccountData(r, ""));
        map.Client("PUT", "/user/{userId}/account_data/{type}", r => PutAccountData(r, ""));
        map.Client("GET", "/user/{userId}/rooms/{roomId}/account_data/{type}", r => GetAccountData(r, r.Route("roomId")));
        map.Client("PUT", "/user/{userId}/rooms/{roomId}/account_data/{type}", r => PutAccountData(r, r.Route("roomId")));
        map.Client("GET", "/pushrules/", PushRulesAll);
        map.Client("GET", "/pushrules/global/", r => r.JsonAsync(PushRules.Global(r.UserId, r.Server.LocalPart(r.UserId)!)));
        map.Client("GET", "/pushers", r => r.JsonAsync(new JsonObject { ["pushers"] = new JsonArray() }));
        map.Client("GET", "/devices", Devices);
        map.Client("GET", "/devices/{deviceId}", Device);
        map.Client("PUT", "/devices/{deviceId}", RenameDevice);
        map.Client("DELETE", "/devices/{deviceId}", DeleteDevice);
        map.Client("POST", "/delete_devices", DeleteDevices);
        map.Client("POST", "/account/deactivate", Deactivate);
    }

    private static Task PushRulesAll(MatrixRequest r) =>
        r.JsonAsync(new JsonObject { ["global"] = PushRules.Global(r.UserId, r.Server.LocalPart(r.UserId)!) });

    private static Task Profile(MatrixRequest r, string? field)
    {
        var userId = r.Route("userId");
        RoomActions.RequireUserId(userId);
        var local = r.Server.LocalPart(userId);
        // People with accounts, and devices (users the node speaks for, whose name and presence clients show too).
        if (local is null || !Jid.TryParse(local + "@" + r.Server.ServerName, out var jid) || jid.Local is null
            || !(r.Server.Accounts.Exists(jid) || r.Server.IsDeviceLocalpart(local)))
            throw MatrixException.NotFound("Profile not found");
        var (name, avatar) = r.Server.Read(db => Profiles.Get(db, userId));
        var result = new JsonObject();
        if (field is null or "displayname" && name is not null) result["displayname"] = name;
        if (field is null or "avatar_url" && avatar is not null) result["avatar_url"] = avatar;
        return r.JsonAsync(result);
    }

    private static async Task SetProfile(MatrixRequest r, string field)
    {
        if (r.Route("userId") != r.UserId) throw MatrixException.Forbidden("You may only change your own profile");
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var value = JsonBody.OptString(body, field);
        if (value is { Length: > 256 }) throw MatrixException.InvalidParam($"{field} is longer than 256 characters");
        if (field == "avatar_url" && value is not null && !value.StartsWith("mxc://", StringComparison.Ordinal))
            throw MatrixException.InvalidParam("avatar_url must be an mxc:// URI");
        r.Server.Write(db =>
        {
            var (name, avatar) = Profiles.Get(db, r.UserId);
            if (field == "displayname") name = value; else avatar = value;
            Profiles.Set(db, r.UserId, name, avatar);
            r.Server.Actions.RefreshMemberEvents(db, r.UserId);
        });
        await r.EmptyAsync().ConfigureAwait(false);
    }

    public static void SetAccountData(Db db, string userId, string roomId, string type, JsonObject content) =>
        db.Execute("""
            INSERT INTO matrix_account_data (user_id, room_id, type, content, stream) VALUES ($u, $r, $t, $c, $s)
            ON CONFLICT (user_id, room_id, type) DO UPDATE SET content = $c, stream = $s
            """, ("$u", userId), ("$r", roomId), ("$t", type), ("$c", content.ToJsonString()), ("$s", db.NextStream()));

    private static void CheckAccountDataTarget(MatrixRequest r, string roomId, string type)
    {
        if (r.Route("userId") != r.UserId) throw MatrixException.Forbidden("You may only use your own account data");
        if (roomId.Length > 0) RoomActions.RequireRoomId(roomId);
        if (type.Length is 0 or > 255) throw MatrixException.InvalidParam("Invalid account data type");
    }

    private static async Task PutAccountData(MatrixRequest r, string roomId)
    {
        var type = r.Route("type");
        CheckAccountDataTarget(r, roomId, type);
        if (type is "m.fully_read" or "m.push_rules") throw new MatrixException(405, "M_BAD_JSON", $"{type} is set through its own endpoint");
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        r.Server.Write(db =>
        {
            if (roomId.Length > 0) r.Server.Rooms.VersionOf(db, roomId);
            SetAccountData(db, r.UserId, roomId, type, body);
        });
        await r.EmptyAsync().ConfigureAwait(false);
    }

    private static Task GetAccountData(MatrixRequest r, string roomId)
    {
        var type = r.Route("type");
        CheckAccountDataTarget(r, roomId, type);
        var json = r.Server.Read(db => db.Scalar("SELECT content FROM matrix_account_data WHERE user_id = $u AND room_id = $r AND type = $t",
            ("$u", r.UserId), ("$r", roomId), ("$t", type)) as string);
        return r.JsonAsync(JsonBody.Parse(json ?? throw MatrixException.NotFound("No account data of that type")));
    }

    private static JsonObject DeviceJson(Microsoft.Data.Sqlite.SqliteDataReader row)
    {
        var device = new JsonObject { ["device_id"] = row.GetString(0) };
        if (!row.IsDBNull(1)) device["display_name"] = row.GetString(1);
        if (!row.IsDBNull(2)) device["last_seen_ts"] = row.GetInt64(2);
        if (!row.IsDBNull(3)) device["last_seen_ip"] = row.GetString(3);
        return device;
    }

    private static Task Devices(MatrixRequest r) => r.JsonAsync(r.Server.Read(db =>
    {
        using var query = db.Command("SELECT device_id, display_name, last_seen_ts, last_seen_ip FROM matrix_devices WHERE user_id = $u ORDER BY device_id", ("$u", r.UserId));
        using var rows = query.ExecuteReader();
        var list = new JsonArray();
        while (rows.Read()) list.Add((JsonNode)DeviceJson(rows));
        return new JsonObject { ["devices"] = list };
    }));

    private static Task Device(MatrixRequest r) => r.JsonAsync(r.Server.Read(db =>
    {
        using var query = db.Command("SELECT device_id, display_name, last_seen_ts, last_seen_ip FROM matrix_devices WHERE user_id = $u AND device_id = $d",
            ("$u", r.UserId), ("$d", r.Route("deviceId")));
        using var row = query.ExecuteReader();
        return row.Read() ? DeviceJson(row) : throw MatrixException.NotFound("No such device");
    }));

    private static async Task RenameDevice(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var name = JsonBody.OptString(body, "display_name");
        var changed = r.Server.Write(db =>
        {
            var n = db.Execute("UPDATE matrix_devices SET display_name = $n WHERE user_id = $u AND device_id = $d", ("$n", name), ("$u", r.UserId), ("$d", r.Route("deviceId")));
            if (n > 0) Sessions.DeviceListChanged(db, r.UserId);
            return n;
        });
        if (changed == 0) throw MatrixException.NotFound("No such device");
        await r.EmptyAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// User-interactive authentication with the account password (m.login.password), for the operations the spec
    /// guards with it. Without a valid "auth" the answer is the 401 that lists the flow.
    /// </summary>
    public static async Task<bool> PasswordAuthAsync(MatrixRequest r, JsonObject body)
    {
        var auth = JsonBody.OptObject(body, "auth");
        string? password = null;
        if (auth is not null && JsonBody.OptString(auth, "type") == "m.login.password") password = JsonBody.OptString(auth, "password");
        if (password is not null)
        {
            var account = r.Server.AccountOf(r.UserId)!;
            if (r.Server.Logins.RetryAfter(account, r.RemoteAddress) is { } wait)
                throw AuthHandlers.LimitExceeded(wait);
            if (r.Server.Accounts.VerifyPassword(Jid.Parse(account), password)) return true;
            r.Server.Logins.RecordFailure(account, r.RemoteAddress, password);
        }
        var challenge = new JsonObject
        {
            ["flows"] = new JsonArray(new JsonObject { ["stages"] = new JsonArray("m.login.password") }),
            ["params"] = new JsonObject(),
            ["session"] = (auth is null ? null : JsonBody.OptString(auth, "session")) ?? RoomStore.RandomId(24),
        };
        if (password is not null)
        {
            challenge["errcode"] = "M_FORBIDDEN";
            challenge["error"] = "Invalid password";
        }
        await r.JsonAsync(challenge, 401).ConfigureAwait(false);
        return false;
    }

    private static async Task DeleteDevice(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync(emptyIsObject: true).ConfigureAwait(false);
        var device = r.Route("deviceId");
        if (!await PasswordAuthAsync(r, body).ConfigureAwait(false)) return;
        r.Server.Write(db => Sessions.RemoveDevice(db, r.UserId, device));
        await r.EmptyAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Deactivation removes the account itself, for every protocol (it is the same account as the XMPP one): rooms
    /// are left, devices and tokens deleted. This node binds no third-party identifiers, hence "no-support".
    /// </summary>
    private static async Task Deactivate(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync(emptyIsObject: true).ConfigureAwait(false);
        if (!await PasswordAuthAsync(r, body).ConfigureAwait(false)) return;
        r.Server.RemoveAccount(Jid.Parse(r.Server.AccountOf(r.UserId)!));
        MatrixLog.AccountDeactivated(r.Server.Logger, r.UserId);
        await r.JsonAsync(new JsonObject { ["id_server_unbind_result"] = "no-support" }).ConfigureAwait(false);
    }

    private static async Task DeleteDevices(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var devices = JsonBody.StringList(JsonBody.OptArray(body, "devices") ?? throw MatrixException.MissingParam("devices is required"), "devices");
        if (!await PasswordAuthAsync(r, body).ConfigureAwait(false)) return;
        r.Server.Write(db => { foreach (var d in devices) Sessions.RemoveDevice(db, r.UserId, d); });
        await r.EmptyAsync().ConfigureAwait(false);
    }
}
