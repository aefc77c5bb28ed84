using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Bridge;
using EdgeNode.Matrix.Tests.Rooms;

namespace EdgeNode.Matrix.Tests.Bridge;

/// <summary>
/// Devices' rooms as a view of the router: a device's words routed to a person reach the person's room with it,
/// its presence opens rooms and names its user, and text written in its room is routed to its address.
/// </summary>
public sealed class DeviceBridgeTests : IDisposable
{
    private const string Alice = "@alice:hs.test";
    private const string Carol = "@carol:hs.test";
    private const string Plug = "@plug1:hs.test";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly DeviceRegistry _registry = new(_ => false);
    private readonly TestHomeserver _hs;
    private readonly Router _router = new("hs.test");
    private readonly MatrixFrontEnd _frontEnd;
    private readonly RecordingTarget _plug = new("plug1@hs.test");

    public DeviceBridgeTests()
    {
        var key = new DeviceKey(DeviceConvention.Tasmota, "plug1");
        _registry.Ensure(key, "plug1", "Desk plug");
        _registry.SetAccess(key, DeviceAccess.OwnedBy([Jid.Parse("alice@hs.test"), Jid.Parse("carol@hs.test")]));
        _hs = new TestHomeserver(devices: _registry);
        // Alice uses Matrix before the bridge starts; Carol never has.
        Server.Write(db => EdgeNode.Matrix.Users.Sessions.Create(db, Alice, "ALICEPHONE", null, 0));
        _frontEnd = new MatrixFrontEnd(Server, _router);
        _router.AddFrontEnd(_frontEnd);
        _router.Register(_plug);
    }

    private Homeserver Server => _hs.Server;

    private string? RoomWith(string person) => Server.Read(db =>
        db.Scalar("SELECT room_id FROM matrix_device_rooms WHERE device = $d AND person = $p", ("$d", Plug), ("$p", person)) as string);

    private List<string> Notices(string room) => Server.Read(db =>
        Server.Rooms.QueryEvents(db, "room_id = $r AND type = 'm.room.message' AND sender = $s ORDER BY stream", ("$r", room), ("$s", Plug))
            .Select(e => (string)e.Pdu["content"]!["body"]!).ToList());

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            Thread.Yield();
        }
    }

    private string OpenAlicesRoom()
    {
        _router.PublishPresence(new AccountPresence("plug1@hs.test", StanzaOrigin.Device, true, Status: "on"));
        WaitFor(() => RoomWith(Alice) is not null, "Alice's room with the plug");
        string room = RoomWith(Alice)!;
        Server.Write(db => Server.Actions.Join(db, room, Alice));
        return room;
    }

    [Fact]
    public void ShowPresence_OpensRoomsForPeopleOnMatrixOnly_AndNamesTheDeviceUser()
    {
        _router.PublishPresence(new AccountPresence("plug1@hs.test", StanzaOrigin.Device, true, Status: "on"));

        WaitFor(() => RoomWith(Alice) is not null, "Alice's room with the plug");
        Assert.Equal("invite", Server.Read(db => Server.Rooms.Membership(db, RoomWith(Alice)!, Alice)));
        Assert.Equal("Desk plug", Server.Read(db => EdgeNode.Matrix.Users.Profiles.Get(db, Plug).DisplayName));
        Assert.Null(RoomWith(Carol));
    }

    [Fact]
    public void PersonLoggedIn_TheDevicesTheyMayReadOpenTheirRooms()
    {
        Assert.Equal(AccountReach.NotUsed, Reading("carol@hs.test", "Power: on"));

        Server.Write(db => EdgeNode.Matrix.Users.Sessions.Create(db, Carol, "CAROLPHONE", null, 0));
        Server.DeviceRooms.OnLoggedIn(Carol);

        WaitFor(() => RoomWith(Carol) is not null, "Carol's room with the plug");
        Assert.Equal(AccountReach.Kept, Reading("carol@hs.test", "Power: on"));
    }

    [Fact]
    public void Route_ReadingAndAnswer_ArePostedInTheJoinedRoomAsNotices()
    {
        string room = OpenAlicesRoom();

        Assert.Equal(RouteOutcome.Delivered, _router.Route(RoutedStanza.Message(MessageType.Headline, "plug1@hs.test/edgenode"u8,
            "alice@hs.test"u8, default, "Power: 58 W"u8, default) with { Origin = StanzaOrigin.Device }));
        _router.Route(RoutedStanza.Message(MessageType.Chat, "plug1@hs.test/edgenode"u8, "alice@hs.test"u8, default, "done: off"u8, default) with
        {
            Origin = StanzaOrigin.Device,
        });

        WaitFor(() => Notices(room).Count == 2, "both notices");
        Assert.Equal(["Power: 58 W", "done: off"], Notices(room));
        var notice = Server.Read(db => Server.Rooms.QueryEvents(db, "room_id = $r AND type = 'm.room.message' ORDER BY stream DESC", ("$r", room)).First());
        Assert.Equal("m.notice", (string?)notice.Pdu["content"]!["msgtype"]);
    }

    [Fact]
    public void Deliver_ToSomeoneWhoDoesNotUseMatrix_IsNotUsedAndAllocatesNothing()
    {
        byte[] to = "carol@hs.test"u8.ToArray();
        byte[] body = "Power: 58 W"u8.ToArray();
        for (int i = 0; i < 100; i++)
        {
            Deliver(to, body);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        AccountReach reach = AccountReach.Reached;
        for (int i = 0; i < 1000; i++)
        {
            reach = Deliver(to, body);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(AccountReach.NotUsed, reach);
        Assert.Equal(0, allocated);
    }

    private AccountReach Deliver(byte[] to, byte[] body) =>
        _frontEnd.Devices.Deliver(RoutedStanza.Message(MessageType.Headline, "plug1@hs.test/edgenode"u8, to, default, body, default) with
        {
            Origin = StanzaOrigin.Device,
        }, "plug1@hs.test", "carol@hs.test");

    [Fact]
    public void TextInTheRoom_IsRoutedToTheDeviceAfterCommit_NoticesAndOthersAreNot()
    {
        string room = OpenAlicesRoom();

        Server.Write(db =>
        {
            Server.Actions.Send(db, room, Alice, "m.room.message", null, new JsonObject { ["msgtype"] = "m.text", ["body"] = "off" });
            Assert.Empty(_plug.Received);
        });
        Server.Write(db => Server.Actions.Send(db, room, Alice, "m.room.message", null, new JsonObject { ["msgtype"] = "m.notice", ["body"] = "not a command" }));

        var message = Assert.Single(_plug.Received);
        Assert.Equal((MessageType.Chat, "alice@hs.test", "plug1@hs.test", "off", StanzaOrigin.Matrix), message);
    }

    private AccountReach Reading(string person, string text)
    {
        var stanza = RoutedStanza.Message(MessageType.Headline, "plug1@hs.test/edgenode"u8, Encoding.UTF8.GetBytes(person), default,
            Encoding.UTF8.GetBytes(text), default) with { Origin = StanzaOrigin.Device };
        return _frontEnd.Devices.Deliver(stanza, "plug1@hs.test", person);
    }

    public void Dispose()
    {
        _frontEnd.Dispose();
        _hs.Dispose();
    }

    private sealed class RecordingTarget(string bare) : IRouteTarget
    {
        public List<(MessageType Type, string From, string To, string Body, StanzaOrigin Origin)> Received { get; } = [];
        public string Bare => bare;
        public ReadOnlySpan<byte> Resource => "edgenode"u8;
        public ReadOnlySpan<byte> FullAddress => Encoding.UTF8.GetBytes(bare + "/edgenode");
        public bool IsAvailable => true;
        public int Priority => 0;

        public bool Deliver(in RoutedStanza stanza)
        {
            if (stanza.Kind == StanzaKind.Message)
            {
                Received.Add((stanza.MessageType, Encoding.UTF8.GetString(stanza.From), Encoding.UTF8.GetString(stanza.To),
                    Encoding.UTF8.GetString(stanza.Body), stanza.Origin));
            }

            return true;
        }

        public void DeliverCopy(in RoutedStanza stanza, CopyKind kind)
        {
        }

        public void Close(TargetCloseReason reason)
        {
        }
    }
}
