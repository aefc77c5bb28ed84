namespace EdgeNode.Matrix.Events;

/// <summary>Which redaction algorithm a room version uses.</summary>
public enum RedactionRules
{
    /// <summary>Room versions 9 and 10: keeps origin, membership and prev_state; create keeps only creator.</summary>
    V9,

    /// <summary>Room versions 11 and later: drops origin, membership and prev_state; create keeps all content.</summary>
    V11,
}

/// <summary>Which state resolution algorithm a room version uses.</summary>
public enum StateResolutionAlgorithm
{
    /// <summary>State resolution v2 (room versions 2 to 11): iterative checks start from the unconflicted state.</summary>
    V2,

    /// <summary>State resolution v2.1 (room version 12): start from empty, add the conflicted state subgraph.</summary>
    V2_1,
}

/// <summary>
/// The rules of one room version that EdgeNode implements (10, 11, 12). Each property names a rule that
/// changed between versions, so code asks "does this version do X" rather than comparing version numbers.
/// </summary>
public sealed class RoomVersion
{
    public static readonly RoomVersion V10 = new("10", RedactionRules.V9, StateResolutionAlgorithm.V2,
        creatorFromContent: true, roomIdIsCreateHash: false);

    public static readonly RoomVersion V11 = new("11", RedactionRules.V11, StateResolutionAlgorithm.V2,
        creatorFromContent: false, roomIdIsCreateHash: false);

    public static readonly RoomVersion V12 = new("12", RedactionRules.V11, StateResolutionAlgorithm.V2_1,
        creatorFromContent: false, roomIdIsCreateHash: true);

    private RoomVersion(string id, RedactionRules redaction, StateResolutionAlgorithm stateResolution,
        bool creatorFromContent, bool roomIdIsCreateHash)
    {
        Id = id;
        Redaction = redaction;
        StateResolution = stateResolution;
        CreatorFromContent = creatorFromContent;
        RoomIdIsCreateEventHash = roomIdIsCreateHash;
    }

    public string Id { get; }

    public RedactionRules Redaction { get; }

    public StateResolutionAlgorithm StateResolution { get; }

    /// <summary>Up to version 10 the creator is content.creator (required); from 11 it is the create event's sender.</summary>
    public bool CreatorFromContent { get; }

    /// <summary>
    /// Version 12: the room ID is the create event's reference hash with sigil '!', the create event has no
    /// room_id and is never listed in auth_events, and the room creators have infinite power.
    /// </summary>
    public bool RoomIdIsCreateEventHash { get; }

    public bool CreatorsHaveInfinitePower => RoomIdIsCreateEventHash;

    public static bool TryGet(string? id, out RoomVersion version)
    {
        RoomVersion? found = id switch
        {
            "10" => V10,
            "11" => V11,
            "12" => V12,
            _ => null,
        };
        version = found!;
        return found is not null;
    }

    /// <summary>
    /// Versions whose rules this server evaluates; a create event naming another one is rejected (auth rule
    /// 1.3: "has a room_version that is not recognised"). Versions 1 to 9 exist but their rules are not
    /// implemented here, so accepting them would authorise events under rules we never check.
    /// </summary>
    public static bool IsKnownId(string id) => TryGet(id, out _);

    public override string ToString() => Id;
}
