using System.Text.Json.Nodes;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Rooms;

/// <summary>
/// Which of a room's events one user may see (client-server API, "Room History Visibility", server behaviour):
/// decided by the history_visibility and the user's membership in the state at each event. One instance serves one
/// request: the answers per state group are kept, since consecutive message events share their group.
/// </summary>
public sealed class HistoryVisibility
{
    public const string EventType = "m.room.history_visibility";
    public const string WorldReadable = "world_readable";
    public const string Shared = "shared";
    public const string Invited = "invited";
    public const string Joined = "joined";

    private readonly Db _db;
    private readonly RoomStore _rooms;
    private readonly string _userId;
    private readonly Dictionary<long, (string Visibility, string? Membership)> _byGroup = [];
    private readonly List<long> _joins = [];

    private HistoryVisibility(Db db, RoomStore rooms, string roomId, string userId)
    {
        _db = db;
        _rooms = rooms;
        RoomId = roomId;
        _userId = userId;
        using var query = db.Command("SELECT stream FROM matrix_events WHERE room_id = $r AND type = 'm.room.member' AND state_key = $u AND membership = 'join' ORDER BY stream",
            ("$r", roomId), ("$u", userId));
        using var rows = query.ExecuteReader();
        while (rows.Read()) _joins.Add(rows.GetInt64(0));
    }

    public string RoomId { get; }

    /// <summary>The filter for a user in a room this node has (M_NOT_FOUND otherwise).</summary>
    public static HistoryVisibility For(Db db, RoomStore rooms, string roomId, string userId)
    {
        RoomActions.RequireRoomId(roomId);
        rooms.VersionOf(db, roomId);
        return new HistoryVisibility(db, rooms, roomId, userId);
    }

    /// <summary>The room's history_visibility now ("shared" when unset or not understood).</summary>
    public string Current()
    {
        var e = _rooms.CurrentStateEvent(_db, RoomId, EventType, "");
        return e is null ? Shared : Parse(e.Pdu["content"]);
    }

    /// <summary>
    /// Whether the user may read the room's history at all: a member now, someone who was ever joined or invited,
    /// or anyone while the room is world_readable. The events themselves still go through <see cref="CanSee"/>.
    /// </summary>
    public void RequireAccess()
    {
        var membership = _rooms.Membership(_db, RoomId, _userId);
        if (membership is "join" or "invite" || _joins.Count > 0 || RoomStore.EverHadMembership(_db, RoomId, _userId, "invite") || Current() == WorldReadable) return;
        throw MatrixException.Forbidden($"You are not in room {RoomId}");
    }

    /// <summary>
    /// The highest stream position worth reading for this user: the end of the room while they are joined or
    /// invited or while it is world_readable, their last member event (their leave or ban) otherwise.
    /// </summary>
    public long UpperBound()
    {
        var member = _rooms.CurrentStateEvent(_db, RoomId, EventTypes.Member, _userId);
        var membership = member?.Pdu["content"]?["membership"]?.GetValue<string>();
        if (member is null || membership is "join" or "invite" || Current() == WorldReadable) return long.MaxValue;
        return member.Stream;
    }

    public bool CanSee(StoredEvent e)
    {
        if (e.RoomId != RoomId) return false;
        if (Allows(At(RoomStore.StateGroupOf(_db, e)), e.Stream)) return true;
        // A visibility change, and the user's own membership change, are visible when the state before them allows it too.
        if (e.StateKey is not null && ((e.Type == EventType && e.StateKey.Length == 0) || (e.Type == EventTypes.Member && e.StateKey == _userId))
            && RoomStore.StateGroupBefore(_db, e) is { } before)
            return Allows(At(before), e.Stream);
        return false;
    }

    public List<StoredEvent> Filter(IEnumerable<StoredEvent> events) => [.. events.Where(CanSee)];

    private bool Allows((string Visibility, string? Membership) at, long stream) => at switch
    {
        { Visibility: WorldReadable } => true,
        { Membership: "join" } => true,
        { Visibility: Shared } => _joins.Count > 0 && _joins[^1] > stream,
        { Visibility: Invited, Membership: "invite" } => true,
        _ => false,
    };

    private (string Visibility, string? Membership) At(long group)
    {
        if (_byGroup.TryGetValue(group, out var known)) return known;
        var state = _rooms.States.Load(_db, group);
        var visibility = state.TryGetValue(new StateKey(EventType, ""), out var v) && _rooms.GetEvent(_db, v) is { } ve ? Parse(ve.Pdu["content"]) : Shared;
        string? membership = null;
        if (state.TryGetValue(StateKey.Member(_userId), out var m) && _rooms.GetEvent(_db, m) is { } me
            && me.Pdu["content"]?["membership"] is JsonValue mv && mv.TryGetValue(out string? text))
            membership = text;
        return _byGroup[group] = (visibility, membership);
    }

    private static string Parse(JsonNode? content) =>
        content?["history_visibility"] is JsonValue value && value.TryGetValue(out string? text) && text is WorldReadable or Shared or Invited or Joined
            ? text
            : Shared;
}
