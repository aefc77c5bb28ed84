using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;
using EdgeNode.Matrix.Tests.Rooms;
using EdgeNode.Matrix.Users;

namespace EdgeNode.Matrix.Tests.Users;

public class XmppOnlyInvitesTests
{
    private const string Alice = "@alice:hs.test";
    private const string Bob = "@bob:hs.test";
    private const string Carol = "@carol:hs.test";

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    /// <summary>alice's room (alice joined, with the given power levels), made as the client API makes one.</summary>
    private static string Room(Db db, TestHomeserver hs, RoomVersion version, string powerLevels)
    {
        var roomId = hs.Server.Rooms.CreateRoom(db, version, Alice, new JsonObject());
        hs.Server.Actions.SetMembership(db, roomId, Alice, Alice, "join");
        hs.Server.Rooms.Send(db, roomId, Alice, EventTypes.PowerLevels, "", Json(powerLevels));
        return roomId;
    }

    private static List<string> Notices(TestHomeserver hs, string roomId) => hs.Server.Read(db =>
        hs.Server.Rooms.QueryEvents(db, "room_id = $r AND type = 'm.room.message' ORDER BY stream", ("$r", roomId))
            .Select(e => (string)e.Pdu["content"]!["body"]!).ToList());

    private const string OpenLevels = """{"users":{},"events_default":0,"state_default":50,"invite":0,"kick":50}""";

    [Fact]
    public void Observe_InvitedAgainAndAfterAKick_OneNoticeWithTheXmppAddress()
    {
        using var hs = new TestHomeserver();
        var roomId = hs.Server.Write(db => Room(db, hs, RoomVersion.V12, OpenLevels));

        hs.Server.Write(db =>
        {
            hs.Server.Actions.SetMembership(db, roomId, Alice, Carol, "invite");
            hs.Server.Actions.SetMembership(db, roomId, Alice, Carol, "leave");
            hs.Server.Actions.SetMembership(db, roomId, Alice, Carol, "invite");
        });

        var notice = Assert.Single(Notices(hs, roomId));
        Assert.StartsWith("carol uses XMPP only, at carol@hs.test:", notice);
        var e = hs.Server.Read(db => hs.Server.Rooms.QueryEvents(db, "room_id = $r AND type = 'm.room.message'", ("$r", roomId)).Single());
        Assert.Equal((Alice, "m.notice"), (e.Sender, (string)e.Pdu["content"]!["msgtype"]!));
    }

    [Fact]
    public void Observe_InviteeWithAMatrixDeviceOrAJoinedRoom_NoNotice()
    {
        using var hs = new TestHomeserver();
        hs.Server.Write(db => Sessions.Create(db, Bob, "PHONE", null, hs.Server.Now));
        var elsewhere = hs.Server.Write(db => Room(db, hs, RoomVersion.V12, OpenLevels));
        hs.Server.Write(db =>
        {
            hs.Server.Actions.SetMembership(db, elsewhere, Alice, Carol, "invite");
            hs.Server.Actions.SetMembership(db, elsewhere, Carol, Carol, "join");
        });
        var roomId = hs.Server.Write(db => Room(db, hs, RoomVersion.V12, OpenLevels));

        hs.Server.Write(db =>
        {
            hs.Server.Actions.SetMembership(db, roomId, Alice, Bob, "invite");
            hs.Server.Actions.SetMembership(db, roomId, Alice, Carol, "invite");
        });

        Assert.Empty(Notices(hs, roomId));
        Assert.Equal("invite", hs.Server.Read(db => hs.Server.Rooms.Membership(db, roomId, Carol)));
    }

    [Fact]
    public void Observe_InviterMayNotPostMessages_InviteStandsWithoutNotice()
    {
        using var hs = new TestHomeserver();
        // Version 11: the creator's power is the power levels' to set (in 12 a creator outranks them).
        var roomId = hs.Server.Write(db => Room(db, hs, RoomVersion.V11,
            """{"users":{"@alice:hs.test":50},"events_default":100,"state_default":50,"invite":0}"""));

        hs.Server.Write(db => hs.Server.Actions.SetMembership(db, roomId, Alice, Carol, "invite"));

        Assert.Empty(Notices(hs, roomId));
        Assert.Equal("invite", hs.Server.Read(db => hs.Server.Rooms.Membership(db, roomId, Carol)));
    }
}
