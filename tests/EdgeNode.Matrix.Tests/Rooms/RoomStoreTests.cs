using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Rooms;

namespace EdgeNode.Matrix.Tests.Rooms;

public class RoomStoreTests
{
    private const string Alice = "@alice:hs.test";
    private const string Bob = "@bob:hs.test";

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    /// <summary>A room where alice (creator) and bob are joined, made without the client API.</summary>
    private static string Room(TestHomeserver hs, RoomVersion version) => hs.Server.Write(db =>
    {
        var rooms = hs.Server.Rooms;
        var roomId = rooms.CreateRoom(db, version, Alice, new JsonObject());
        rooms.Send(db, roomId, Alice, EventTypes.Member, Alice, Json("""{"membership":"join"}"""));
        var users = version.CreatorsHaveInfinitePower ? "{}" : $$"""{"{{Alice}}":100}""";
        rooms.Send(db, roomId, Alice, EventTypes.PowerLevels, "", Json($$"""{"users":{{users}},"state_default":50,"events_default":0}"""));
        rooms.Send(db, roomId, Alice, EventTypes.JoinRules, "", Json("""{"join_rule":"public"}"""));
        rooms.Send(db, roomId, Bob, EventTypes.Member, Bob, Json("""{"membership":"join"}"""));
        rooms.Send(db, roomId, Alice, EventTypes.JoinRules, "", Json("""{"join_rule":"invite"}"""));
        return roomId;
    });

    public static TheoryData<string> Versions => ["10", "11", "12"];

    [Theory]
    [MemberData(nameof(Versions))]
    public void Send_ChainOfEvents_LinksPrevEventsDepthAndAuthEvents(string versionId)
    {
        RoomVersion.TryGet(versionId, out var version);
        using var hs = new TestHomeserver();
        var roomId = Room(hs, version);
        var before = hs.Server.Read(db => hs.Server.Rooms.Extremities(db, roomId));
        var message = hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Bob, "m.room.message", null, Json("""{"msgtype":"m.text","body":"hi"}""")));

        Assert.Single(before);
        Assert.Equal(before, message.Pdu["prev_events"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(7, (long)message.Pdu["depth"]!);
        Assert.Equal([message.EventId], hs.Server.Read(db => hs.Server.Rooms.Extremities(db, roomId)));
        Assert.Equal(message.EventId, EventHashing.ComputeEventId(message.Pdu, version));
        Assert.True(EventHashing.HasValidContentHash(message.Pdu));
        Assert.True(EventSigning.VerifySignature(message.Pdu, version, "hs.test", hs.Server.SigningKey.KeyId, hs.Server.SigningKey.PublicKey));
        // Auth events: power levels and bob's membership, plus the create event where it is still listed.
        Assert.Equal(version.RoomIdIsCreateEventHash ? 2 : 3, message.Pdu["auth_events"]!.AsArray().Count);
        if (version.RoomIdIsCreateEventHash)
            Assert.Equal(roomId, "!" + hs.Server.Read(db => hs.Server.Rooms.CurrentState(db, roomId))[StateKey.Create][1..]);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Send_MemberWithoutPowerChangesPowerLevels_ForbiddenAndNothingStored(string versionId)
    {
        RoomVersion.TryGet(versionId, out var version);
        using var hs = new TestHomeserver();
        var roomId = Room(hs, version);
        var count = hs.Server.Read(db => (long)db.Scalar("SELECT count(*) FROM matrix_events")!);
        var extremities = hs.Server.Read(db => hs.Server.Rooms.Extremities(db, roomId));

        var e = Assert.Throws<MatrixException>(() => hs.Server.Write(db =>
            hs.Server.Rooms.Send(db, roomId, Bob, EventTypes.PowerLevels, "", Json($$$"""{"users":{"{{{Bob}}}":100}}"""))));

        Assert.Equal(403, e.Status);
        Assert.Equal("M_FORBIDDEN", e.ErrCode);
        Assert.Equal(count, hs.Server.Read(db => (long)db.Scalar("SELECT count(*) FROM matrix_events")!));
        Assert.Equal(extremities, hs.Server.Read(db => hs.Server.Rooms.Extremities(db, roomId)));
    }

    [Fact]
    public void Send_NonMember_Forbidden()
    {
        using var hs = new TestHomeserver();
        var roomId = Room(hs, RoomVersion.V12);
        var e = Assert.Throws<MatrixException>(() => hs.Server.Write(db =>
            hs.Server.Rooms.Send(db, roomId, "@carol:hs.test", "m.room.message", null, Json("""{"body":"x"}"""))));
        Assert.Equal("M_FORBIDDEN", e.ErrCode);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Send_ConcurrentBranches_MergeEventResolvesBothStates(string versionId)
    {
        RoomVersion.TryGet(versionId, out var version);
        using var hs = new TestHomeserver();
        var roomId = Room(hs, version);
        var fork = hs.Server.Read(db => hs.Server.Rooms.Extremities(db, roomId));

        // Two changes made from the same point, as two servers (or two racing writers) would make them.
        var name = hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Alice, "m.room.name", "", Json("""{"name":"A"}"""), prevEvents: fork));
        var topic = hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Alice, "m.room.topic", "", Json("""{"topic":"B"}"""), prevEvents: fork));
        // A conflicting change of the same key on one branch: alice kicks bob while bob renames himself.
        var kick = hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Alice, EventTypes.Member, Bob, Json("""{"membership":"leave"}"""), prevEvents: [name.EventId]));
        var rename = hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Bob, EventTypes.Member, Bob, Json("""{"membership":"join","displayname":"B"}"""), prevEvents: [topic.EventId]));

        Assert.Equal(2, hs.Server.Read(db => hs.Server.Rooms.Extremities(db, roomId)).Count);
        var current = hs.Server.Read(db => hs.Server.Rooms.CurrentState(db, roomId));
        Assert.Equal(name.EventId, current[new StateKey("m.room.name", "")]);
        Assert.Equal(topic.EventId, current[new StateKey("m.room.topic", "")]);
        // The kick is a power event and is applied first; bob's rename is then a join to an invite-only room, which fails.
        Assert.Equal(kick.EventId, current[StateKey.Member(Bob)]);
        Assert.Equal("leave", hs.Server.Read(db => hs.Server.Rooms.Membership(db, roomId, Bob)));

        var merge = hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Alice, "m.room.message", null, Json("""{"body":"merged"}""")));
        Assert.Equal(2, merge.Pdu["prev_events"]!.AsArray().Count);
        Assert.Equal([merge.EventId], hs.Server.Read(db => hs.Server.Rooms.Extremities(db, roomId)));
        Assert.Throws<MatrixException>(() => hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Bob, "m.room.message", null, Json("""{"body":"x"}"""))));
    }

    [Fact]
    public void StateStore_ManyStateChanges_LoadsTheSameStateWithBoundedChains()
    {
        using var hs = new TestHomeserver();
        var roomId = Room(hs, RoomVersion.V12);
        var expected = new Dictionary<string, string>();
        for (var i = 0; i < 3 * StateStore.MaxChain + 5; i++)
        {
            var key = "k" + (i % 7);
            var e = hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Alice, "org.example.state", key, Json($$"""{"i":{{i}}}""")));
            expected[key] = e.EventId;
        }
        // A fresh StateStore reads from the database, not from the cache.
        var fresh = new StateStore();
        var group = hs.Server.Read(db => (long)db.Scalar("SELECT state_group FROM matrix_events ORDER BY stream DESC LIMIT 1")!);
        var state = hs.Server.Read(db => fresh.Load(db, group));
        foreach (var (key, id) in expected) Assert.Equal(id, state[new StateKey("org.example.state", key)]);
        Assert.Equal(hs.Server.Read(db => hs.Server.Rooms.CurrentState(db, roomId)).OrderBy(p => p.Key), state.OrderBy(p => p.Key));
        var longest = hs.Server.Read(db => (long)db.Scalar("SELECT max(chain) FROM matrix_state_groups")!);
        Assert.True(longest < StateStore.MaxChain);
    }

    [Fact]
    public void Send_FloatInContent_BadJsonAndNothingStored()
    {
        using var hs = new TestHomeserver();
        var roomId = Room(hs, RoomVersion.V12);
        var e = Assert.Throws<MatrixException>(() => hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Alice, "m.room.message", null, Json("""{"body":"x","n":1.5}"""))));
        Assert.Equal("M_BAD_JSON", e.ErrCode);
    }

    [Fact]
    public void Send_OversizedEvent_TooLarge()
    {
        using var hs = new TestHomeserver();
        var roomId = Room(hs, RoomVersion.V12);
        var content = new JsonObject { ["body"] = new string('x', RoomStore.MaxPduBytes) };
        var e = Assert.Throws<MatrixException>(() => hs.Server.Write(db => hs.Server.Rooms.Send(db, roomId, Alice, "m.room.message", null, content)));
        Assert.Equal("M_TOO_LARGE", e.ErrCode);
    }
}
