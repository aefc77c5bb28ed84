using System.Text.Json.Nodes;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Devices;
using EdgeNode.Matrix.DeviceUsers;
using EdgeNode.Matrix.Tests.Rooms;

namespace EdgeNode.Matrix.Tests.DeviceUsers;

public class DeviceRoomsTests : IDisposable
{
    private const string Alice = "@alice:hs.test";
    private const string Bob = "@bob:hs.test";
    private const string Plug = "@plug1:hs.test";
    private readonly DeviceRegistry _registry = new(_ => false);
    private readonly TestHomeserver _hs;

    public DeviceRoomsTests()
    {
        var key = new DeviceKey(DeviceConvention.Tasmota, "plug1");
        _registry.Ensure(key, "plug1", "Desk plug");
        _registry.SetAccess(key, DeviceAccess.OwnedBy([Jid.Parse("alice@hs.test")]));
        _hs = new TestHomeserver(devices: _registry);
        // Alice and Bob use Matrix (rooms are made only for people who logged in at least once).
        Server.Write(db => EdgeNode.Matrix.Users.Sessions.Create(db, Alice, "ALICEPHONE", null, 0));
        Server.Write(db => EdgeNode.Matrix.Users.Sessions.Create(db, Bob, "BOBPHONE", null, 0));
    }

    private Homeserver Server => _hs.Server;

    private string? Membership(string room, string user) => Server.Read(db => Server.Rooms.Membership(db, room, user));

    private List<(string Sender, string Type, JsonObject Content)> Messages(string room) => Server.Read(db =>
        Server.Rooms.QueryEvents(db, "room_id = $r AND type = 'm.room.message' ORDER BY stream", ("$r", room))
            .Select(e => (e.Sender, e.Type, (JsonObject)e.Pdu["content"]!)).ToList());

    [Fact]
    public void Say_FirstWord_OpensADirectRoom_NoticesStartOnceThePersonJoined()
    {
        Assert.Null(Server.DeviceRooms.Say("plug1", "Desk plug", Alice, "Power: off"));
        string room = Server.DeviceRooms.EnsureRoom("plug1", "Desk plug", Alice)!;
        Assert.Empty(Messages(room));
        Server.Write(db => Server.Actions.Join(db, room, Alice));
        Assert.Equal(room, Server.DeviceRooms.Say("plug1", "Desk plug", Alice, "Power: on"));

        Assert.Equal("join", Membership(room, Plug));
        var invite = Server.Read(db => Server.Rooms.QueryEvents(db, "room_id = $r AND type = 'm.room.member' AND state_key = $u ORDER BY stream",
            ("$r", room), ("$u", Alice))).First();
        Assert.Equal("invite", (string)invite.Pdu["content"]!["membership"]!);
        Assert.True((bool)invite.Pdu["content"]!["is_direct"]!);
        var direct = JsonNode.Parse((string)Server.Read(db => db.Scalar(
            "SELECT content FROM matrix_account_data WHERE user_id = $u AND type = 'm.direct'", ("$u", Alice)))!)!;
        Assert.Equal(room, (string)direct[Plug]![0]!);
        var (sender, _, content) = Assert.Single(Messages(room));
        Assert.Equal((Plug, "m.notice", "Power: on"), (sender, (string)content["msgtype"]!, (string)content["body"]!));
        Assert.Equal("Desk plug", Server.Read(db => EdgeNode.Matrix.Users.Profiles.Get(db, Plug)).DisplayName);

        Assert.Equal(room, Server.DeviceRooms.Say("plug1", "Desk plug", Alice, "Power: off"));
        Assert.Equal(2, Messages(room).Count);
    }

    [Fact]
    public void EnsureRoomAndSay_PersonNeverLoggedIn_NoRoomUntilTheyDo()
    {
        const string Carol = "@carol:hs.test";
        var key = new DeviceKey(DeviceConvention.Tasmota, "plug1");
        _registry.SetAccess(key, DeviceAccess.OwnedBy([Jid.Parse("alice@hs.test"), Jid.Parse("carol@hs.test")]));
        Assert.False(Server.DeviceRooms.UsesMatrix(Carol));
        Assert.Null(Server.DeviceRooms.EnsureRoom("plug1", "Desk plug", Carol));
        Assert.Null(Server.DeviceRooms.Say("plug1", "Desk plug", Carol, "Power: on"));
        Assert.Equal(0L, Server.Read(db => db.Scalar("SELECT COUNT(*) FROM matrix_device_rooms WHERE person = $p", ("$p", Carol))));

        Server.Write(db => EdgeNode.Matrix.Users.Sessions.Create(db, Carol, "CAROLPHONE", null, 0));
        Assert.True(Server.DeviceRooms.UsesMatrix(Carol));
        string? room = Server.DeviceRooms.EnsureRoom("plug1", "Desk plug", Carol);
        Assert.NotNull(room);
        Assert.Equal("invite", Membership(room, Carol));
    }

    [Fact]
    public void EnsureRoom_OnFirstSight_OpensTheRoomOnceWithoutAMessage()
    {
        string room = Server.DeviceRooms.EnsureRoom("plug1", "Desk plug", Alice)!;
        Assert.Equal(room, Server.DeviceRooms.EnsureRoom("plug1", "Desk plug", Alice));
        Assert.Equal("invite", Membership(room, Alice));
        Assert.Null(Server.DeviceRooms.Say("plug1", "Desk plug", Alice, "Power: on"));
        Assert.Empty(Messages(room));
    }

    [Fact]
    public void Say_AfterThePersonLeft_PostsNothing()
    {
        string room = Server.DeviceRooms.EnsureRoom("plug1", "Desk plug", Alice)!;
        Server.Write(db => Server.Actions.Join(db, room, Alice));
        Assert.Equal(room, Server.DeviceRooms.Say("plug1", "Desk plug", Alice, "hello"));
        Server.Write(db => Server.Actions.SetMembership(db, room, Alice, Alice, "leave"));

        Assert.Null(Server.DeviceRooms.Say("plug1", "Desk plug", Alice, "Power: on"));
        Assert.Single(Messages(room));
    }

    [Fact]
    public void Invite_ByAReader_IsAcceptedAndBecomesTheRoom_ByAStranger_IsDeclined()
    {
        string RoomOf(string creator) => Server.Write(db =>
        {
            string room = Server.Rooms.CreateRoom(db, Server.DefaultRoomVersion, creator, new JsonObject());
            Server.Actions.SetMembership(db, room, creator, creator, "join");
            Server.Rooms.Send(db, room, creator, "m.room.join_rules", "", new JsonObject { ["join_rule"] = "invite" });
            Server.Actions.SetMembership(db, room, creator, Plug, "invite", isDirect: true);
            return room;
        });

        string bobs = RoomOf(Bob);
        Assert.Equal("leave", Membership(bobs, Plug));

        string alices = RoomOf(Alice);
        Assert.Equal("join", Membership(alices, Plug));
        Assert.Equal(alices, Server.DeviceRooms.Say("plug1", "Desk plug", Alice, "Power: on"));
    }

    public void Dispose() => _hs.Dispose();
}
