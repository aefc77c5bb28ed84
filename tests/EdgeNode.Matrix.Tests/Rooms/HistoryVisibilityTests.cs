using System.Text.Json.Nodes;
using EdgeNode.Core.Storage;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Rooms;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Tests.Rooms;

public class HistoryVisibilityTests
{
    private const string Alice = "@alice:hs.test";
    private const string Bob = "@bob:hs.test";
    private const string Carol = "@carol:hs.test";

    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private sealed record Story(string RoomId, StoredEvent BeforeInvite, StoredEvent Invite, StoredEvent WhileInvited, StoredEvent Join,
        StoredEvent WhileJoined, StoredEvent Leave, StoredEvent AfterLeave);

    /// <summary>alice's room with the given visibility: a message, bob invited, a message, bob joins, a message, bob leaves, a message.</summary>
    private static Story Tell(TestHomeserver hs, string visibility) => hs.Server.Write(db =>
    {
        var rooms = hs.Server.Rooms;
        var roomId = rooms.CreateRoom(db, RoomVersion.V12, Alice, new JsonObject());
        rooms.Send(db, roomId, Alice, EventTypes.Member, Alice, Json("""{"membership":"join"}"""));
        rooms.Send(db, roomId, Alice, EventTypes.PowerLevels, "", Json("""{"users":{},"state_default":50,"events_default":0,"invite":0}"""));
        rooms.Send(db, roomId, Alice, HistoryVisibility.EventType, "", Json($$"""{"history_visibility":"{{visibility}}"}"""));
        StoredEvent Say(string text) => rooms.Send(db, roomId, Alice, "m.room.message", null, Json($$"""{"msgtype":"m.text","body":"{{text}}"}"""));
        var beforeInvite = Say("before invite");
        var invite = rooms.Send(db, roomId, Alice, EventTypes.Member, Bob, Json("""{"membership":"invite"}"""));
        var whileInvited = Say("while invited");
        var join = rooms.Send(db, roomId, Bob, EventTypes.Member, Bob, Json("""{"membership":"join"}"""));
        var whileJoined = Say("while joined");
        var leave = rooms.Send(db, roomId, Bob, EventTypes.Member, Bob, Json("""{"membership":"leave"}"""));
        var afterLeave = Say("after leave");
        return new Story(roomId, beforeInvite, invite, whileInvited, join, whileJoined, leave, afterLeave);
    });

    private static string Seen(TestHomeserver hs, Story story, string user) => hs.Server.Read(db =>
    {
        var visibility = HistoryVisibility.For(db, hs.Server.Rooms, story.RoomId, user);
        StoredEvent[] all = [story.BeforeInvite, story.Invite, story.WhileInvited, story.Join, story.WhileJoined, story.Leave, story.AfterLeave];
        return string.Concat(all.Select(e => visibility.CanSee(e) ? '1' : '0'));
    });

    // Order of the flags: before invite, invite, while invited, join, while joined, leave, after leave.
    [Theory]
    [InlineData("joined", "0001110")]
    [InlineData("invited", "0111110")]
    [InlineData("shared", "1111110")]
    [InlineData("world_readable", "1111111")]
    [InlineData("not-a-visibility", "1111110")]
    public void CanSee_UserWhoWasInvitedJoinedAndLeft_FollowsTheSpecRules(string visibility, string expected)
    {
        using var hs = new TestHomeserver();
        var story = Tell(hs, visibility);
        Assert.Equal(expected, Seen(hs, story, Bob));
    }

    [Theory]
    [InlineData("shared", "0000000")]
    [InlineData("world_readable", "1111111")]
    public void CanSee_NeverAMember_OnlyWorldReadable(string visibility, string expected)
    {
        using var hs = new TestHomeserver();
        var story = Tell(hs, visibility);
        Assert.Equal(expected, Seen(hs, story, Carol));
        var access = hs.Server.Read(db => Record.Exception(() => HistoryVisibility.For(db, hs.Server.Rooms, story.RoomId, Carol).RequireAccess()));
        Assert.Equal(visibility == "world_readable", access is null);
    }

    [Fact]
    public void CanSee_VisibilityChange_VisibleWhenTheStateBeforeOrAfterAllows()
    {
        using var hs = new TestHomeserver();
        var story = Tell(hs, "world_readable");
        var (closing, opening, hidden) = hs.Server.Write(db =>
        {
            var rooms = hs.Server.Rooms;
            var closing = rooms.Send(db, story.RoomId, Alice, HistoryVisibility.EventType, "", Json("""{"history_visibility":"joined"}"""));
            var hidden = rooms.Send(db, story.RoomId, Alice, "m.room.message", null, Json("""{"body":"members only"}"""));
            var opening = rooms.Send(db, story.RoomId, Alice, HistoryVisibility.EventType, "", Json("""{"history_visibility":"world_readable"}"""));
            return (closing, opening, hidden);
        });
        var seen = hs.Server.Read(db =>
        {
            var carol = HistoryVisibility.For(db, hs.Server.Rooms, story.RoomId, Carol);
            return (carol.CanSee(closing), carol.CanSee(hidden), carol.CanSee(opening));
        });
        Assert.Equal((true, false, true), seen);
    }

    [Fact]
    public void VisibleUntil_InvitedOnlyWithJoinTextInContent_NotTreatedAsEverJoined()
    {
        using var hs = new TestHomeserver();
        var roomId = hs.Server.Write(db =>
        {
            var rooms = hs.Server.Rooms;
            var roomId = rooms.CreateRoom(db, RoomVersion.V12, Alice, new JsonObject());
            rooms.Send(db, roomId, Alice, EventTypes.Member, Alice, Json("""{"membership":"join"}"""));
            // The old check looked for the text "membership":"join" anywhere in the event's JSON.
            rooms.Send(db, roomId, Alice, EventTypes.Member, Bob, Json("""{"membership":"invite","org.example.note":{"membership":"join"}}"""));
            rooms.Send(db, roomId, Bob, EventTypes.Member, Bob, Json("""{"membership":"leave"}"""));
            return roomId;
        });

        var e = Assert.Throws<MatrixException>(() => hs.Server.Read(db => hs.Server.Actions.VisibleUntil(db, roomId, Bob)));
        Assert.Equal("M_FORBIDDEN", e.ErrCode);
    }

    [Fact]
    public void VisibleUntil_LeftAfterJoining_TheLeave()
    {
        using var hs = new TestHomeserver();
        var story = Tell(hs, "joined");
        Assert.Equal(story.Leave.Stream, hs.Server.Read(db => hs.Server.Actions.VisibleUntil(db, story.RoomId, Bob)));
        Assert.Equal(long.MaxValue, hs.Server.Read(db => hs.Server.Actions.VisibleUntil(db, story.RoomId, Alice)));
    }

    [Fact]
    public void Migration_ExistingMemberEvents_GetTheirMembershipColumn()
    {
        var folder = Directory.CreateTempSubdirectory("edgenode-matrix-").FullName;
        try
        {
            using (var v1 = Store.Open(folder, new MigrationSet("matrix", [MatrixMigrations.Set.Steps[0]])))
            {
                v1.Write(tx =>
                {
                    using var insert = tx.Command("""
                        INSERT INTO matrix_events (stream, event_id, room_id, type, state_key, sender, depth, origin_server_ts, json, state_group)
                        VALUES (1, '$j', '!r:hs.test', 'm.room.member', '@bob:hs.test', '@bob:hs.test', 1, 0, '{"content":{"membership":"join"}}', 1),
                               (2, '$m', '!r:hs.test', 'm.room.message', NULL, '@bob:hs.test', 2, 0, '{"content":{"membership":"join"}}', 1)
                        """);
                    return insert.ExecuteNonQuery();
                });
            }
            using var v2 = Store.Open(folder, MatrixMigrations.Set);
            var memberships = v2.Read(c =>
            {
                using var query = c.Command("SELECT event_id, coalesce(membership, '-') FROM matrix_events ORDER BY stream");
                using var rows = query.ExecuteReader();
                var list = new List<string>();
                while (rows.Read()) list.Add(rows.GetString(0) + "=" + rows.GetString(1));
                return list;
            });
            Assert.Equal(["$j=join", "$m=-"], memberships);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
