using System.Text.Json.Nodes;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Devices;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.ClientApi.Handlers;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Users;

namespace EdgeNode.Matrix.DeviceUsers;

/// <summary>
/// Devices as Matrix users: <c>@plug1:&lt;domain&gt;</c> has no account and no access token; the node speaks for it.
/// Each person who may read a device gets a direct-message room with it, made by the device on its first word to
/// them (the person is invited with <c>is_direct</c>, and the room is added to their <c>m.direct</c>). Readings and
/// replies arrive there as <c>m.notice</c>; text the person writes there goes to the device through the router
/// (<see cref="Bridge.DeviceBridge"/>), which the node's device service answers with the same rules as over XMPP. A
/// person who leaves the room mutes the device on Matrix; inviting the device into a room again (a direct chat with
/// it) makes that the device's room. Rooms are made only for people who use Matrix (have logged in at least once):
/// for the others a room would be a stored room, invite and m.direct entry per device that nobody sees. Their rooms
/// are made when they first log in (<see cref="Bridge.DeviceBridge"/> opens them).
/// </summary>
public sealed class DeviceRooms(Homeserver server)
{
    /// <summary>Called by the log-in handlers once a session exists: the devices the person may read open their rooms.</summary>
    internal void OnLoggedIn(string userId) => server.FrontEnd?.Devices.PersonLoggedIn(userId);

    /// <summary>Whether a local user has ever logged in through the client API (has a Matrix device now).</summary>
    public bool UsesMatrix(string userId) =>
        server.Read(db => db.Scalar("SELECT 1 FROM matrix_devices WHERE user_id = $u LIMIT 1", ("$u", userId))) is not null;

    /// <summary>Sets the device user's display name and presence (online when the device is available).</summary>
    public void Show(string localpart, string displayName, bool online, string? status)
    {
        string userId = server.UserId(localpart);
        if (server.Read(db => Profiles.Get(db, userId).DisplayName) != displayName)
        {
            server.Write(db =>
            {
                Profiles.Set(db, userId, displayName, null);
                server.Actions.RefreshMemberEvents(db, userId);
            });
        }

        EphemeralHandlers.UpdatePresence(server, userId, online ? "online" : "offline", status, keepStatus: false);
    }

    /// <summary>
    /// Opens the person's direct room with the device unless there is one (left or not); returns it, or null when
    /// the person does not use Matrix.
    /// </summary>
    public string? EnsureRoom(string localpart, string displayName, string personUserId)
    {
        string device = server.UserId(localpart);
        // Read first: the room almost always exists, and a write would take the node's one writer for nothing.
        if (RoomOf(device, personUserId) is { } existing) return existing;
        if (!UsesMatrix(personUserId)) return null;
        return server.Write(db =>
            RoomOf(db, device, personUserId)
            ?? CreateRoom(db, device, displayName, personUserId));
    }

    /// <summary>
    /// Posts an <c>m.notice</c> from the device to one person, making their room with it first when there is none.
    /// Nothing is posted until the person has joined the room (someone who does not use Matrix, or has not accepted
    /// the invite yet, would otherwise collect a signed, stored event for every reading), nor after they left it.
    /// Returns the room when the notice was posted, else null.
    /// </summary>
    public string? Say(string localpart, string displayName, string personUserId, string text)
    {
        string device = server.UserId(localpart);
        // Most readings go to people who are not in the room (yet, or at all): decided with a read, no write.
        string? known = RoomOf(device, personUserId);
        if (known is not null ? server.Read(db => server.Rooms.Membership(db, known, personUserId)) != "join" : !UsesMatrix(personUserId))
        {
            return null;
        }

        return server.Write(db =>
        {
            string? room = RoomOf(db, device, personUserId);
            if (room is null)
            {
                room = CreateRoom(db, device, displayName, personUserId);
            }

            if (server.Rooms.Membership(db, room, personUserId) != "join")
            {
                return null;
            }

            server.Rooms.Send(db, room, device, "m.room.message", null, new JsonObject { ["msgtype"] = "m.notice", ["body"] = text });
            return room;
        });
    }

    /// <summary>
    /// Looks at each membership event a local user sends through the client API (inside its transaction): an invite
    /// of a device by someone who may read it is accepted and the room becomes their room with the device; anyone
    /// else's invite is declined. (Text in a device's room is <see cref="Bridge.DeviceBridge"/>'s.)
    /// </summary>
    internal void Observe(Db db, string roomId, string sender, string type, string? stateKey, JsonObject content)
    {
        if (type == EventTypes.Member && stateKey is not null && stateKey != sender && JsonBody.OptString(content, "membership") == "invite"
            && server.LocalPart(stateKey) is { } invited && server.Devices?.FindByLocalpart(invited) is { } invitedDevice)
        {
            if (MayRead(invitedDevice, sender))
            {
                server.Actions.SetMembership(db, roomId, stateKey, stateKey, "join");
                db.Execute("""
                    INSERT INTO matrix_device_rooms (device, person, room_id) VALUES ($d, $p, $r)
                    ON CONFLICT (device, person) DO UPDATE SET room_id = $r
                    """, ("$d", stateKey), ("$p", sender), ("$r", roomId));
            }
            else
            {
                server.Actions.SetMembership(db, roomId, stateKey, stateKey, "leave", reason: "Only the people this device reports to can chat with it.");
            }
        }
    }

    private string? RoomOf(string device, string person) => server.Read(db => RoomOf(db, device, person));

    private static string? RoomOf(Db db, string device, string person) =>
        db.Scalar("SELECT room_id FROM matrix_device_rooms WHERE device = $d AND person = $p", ("$d", device), ("$p", person)) as string;

    /// <summary>Whether a local user may read the device (its owners, readers and commanders may).</summary>
    public bool MayRead(Device device, string userId) =>
        server.AccountOf(userId) is { } account && Jid.TryParse(account, out var jid)
        && device.Access.CanRead(jid, server.ServerName);

    private string CreateRoom(Db db, string device, string displayName, string person)
    {
        var version = server.DefaultRoomVersion;
        if (Profiles.Get(db, device).DisplayName != displayName) Profiles.Set(db, device, displayName, null);
        string room = server.Rooms.CreateRoom(db, version, device, new JsonObject());
        server.Actions.SetMembership(db, room, device, device, "join");
        var users = new JsonObject { [person] = 100 };
        if (!version.CreatorsHaveInfinitePower) users[device] = 100;
        server.Rooms.Send(db, room, device, EventTypes.PowerLevels, "", new JsonObject
        {
            ["users"] = users,
            ["users_default"] = 0,
            ["events_default"] = 0,
            ["state_default"] = 50,
            ["invite"] = 50,
        });
        server.Rooms.Send(db, room, device, EventTypes.JoinRules, "", new JsonObject { ["join_rule"] = "invite" });
        server.Rooms.Send(db, room, device, "m.room.history_visibility", "", new JsonObject { ["history_visibility"] = "shared" });
        server.Actions.SetMembership(db, room, device, person, "invite", isDirect: true);
        db.Execute("INSERT INTO matrix_device_rooms (device, person, room_id) VALUES ($d, $p, $r)", ("$d", device), ("$p", person), ("$r", room));

        // The person's m.direct lists the room under the device, so clients show it as a direct chat.
        var direct = db.Scalar("SELECT content FROM matrix_account_data WHERE user_id = $u AND room_id = '' AND type = 'm.direct'", ("$u", person)) is string json
            && JsonNode.Parse(json) is JsonObject existing ? existing : new JsonObject();
        if (direct[device] is not JsonArray rooms)
        {
            rooms = [];
            direct[device] = rooms;
        }

        rooms.Add((JsonNode)JsonValue.Create(room));
        UserDataHandlers.SetAccountData(db, person, "", "m.direct", direct);
        MatrixLog.DeviceRoomCreated(server.Logger, device, person, room);
        return room;
    }
}
