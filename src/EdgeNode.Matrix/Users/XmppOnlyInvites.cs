using System.Text.Json.Nodes;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Users;

/// <summary>
/// Tells a room when someone invites a person who uses XMPP only: an account of this node that has no Matrix device
/// and is in no room. Until XMPP and Matrix users can talk, such an invite would sit at "invited" with nobody the
/// wiser, so the room gets one <c>m.notice</c> naming the person's XMPP address, once per room and person (the first
/// invite of that person into that room; later ones find an invite before it). The notice is sent as the inviter, the
/// one member sure to be in the room and allowed to invite; where the room's rules let the inviter post no message,
/// there is no notice and the invite stands. Devices, which are Matrix users without an account, are never told about.
/// </summary>
public sealed class XmppOnlyInvites(Homeserver server)
{
    /// <summary>Called in the write that stored a member event, after it was stored.</summary>
    internal void Observe(Db db, string roomId, string sender, string type, string? stateKey, JsonObject content)
    {
        if (type != EventTypes.Member || stateKey is null || stateKey == sender) return;
        if (JsonBody.OptString(content, "membership") != "invite") return;
        // A direct chat with a local person reaches their XMPP clients through the router (Bridge/PersonBridge).
        if (server.FrontEnd is not null && content["is_direct"] is JsonValue direct && direct.TryGetValue(out bool isDirect) && isDirect) return;
        if (server.LocalPart(stateKey) is not { } local || server.IsDeviceLocalpart(local)) return;
        if (UsesMatrix(db, stateKey) || Invites(db, roomId, stateKey) != 1) return;
        var address = local + "@" + server.ServerName;
        var notice = new JsonObject
        {
            ["msgtype"] = "m.notice",
            ["body"] = $"{local} uses XMPP only, at {address}: they will not see this room until they sign in to Matrix. Until then, reach them over XMPP.",
        };
        try
        {
            server.Rooms.Send(db, roomId, sender, "m.room.message", null, notice);
            MatrixLog.XmppOnlyInviteNoticed(server.Logger, sender, stateKey, roomId);
        }
        catch (MatrixException)
        {
            // The room's power levels keep the inviter from posting: the invite itself still counts.
        }
    }

    /// <summary>Whether a local user has a Matrix device now or is joined to a room: someone who has used Matrix.</summary>
    public static bool UsesMatrix(Db db, string userId) =>
        db.Scalar("""
            SELECT 1 FROM matrix_devices WHERE user_id = $u
            UNION ALL
            SELECT 1 FROM matrix_current_state WHERE state_key = $u AND type = 'm.room.member' AND membership = 'join'
            LIMIT 1
            """, ("$u", userId)) is not null;

    /// <summary>The invites of the user into the room so far, the one just stored included.</summary>
    private static long Invites(Db db, string roomId, string userId) =>
        (long)db.Scalar("SELECT count(*) FROM matrix_events WHERE room_id = $r AND type = 'm.room.member' AND state_key = $u AND membership = 'invite'",
            ("$r", roomId), ("$u", userId))!;
}
