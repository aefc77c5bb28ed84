namespace EdgeNode.Matrix.Events;

/// <summary>The event types the authorisation rules and state resolution treat specially.</summary>
public static class EventTypes
{
    public const string Create = "m.room.create";
    public const string Member = "m.room.member";
    public const string JoinRules = "m.room.join_rules";
    public const string PowerLevels = "m.room.power_levels";
    public const string ThirdPartyInvite = "m.room.third_party_invite";
    public const string Redaction = "m.room.redaction";
}
