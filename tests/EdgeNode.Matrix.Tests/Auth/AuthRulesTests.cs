using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Auth;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Signing;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Tests.Auth;

public class AuthRulesTests
{
    private const string Alice = "@alice:a.example";
    private const string Bob = "@bob:b.example";
    private const string Carol = "@carol:c.example";

    public static TheoryData<string> Versions => ["10", "11", "12"];

    private static RoomVersion V(string id) => RoomVersion.TryGet(id, out RoomVersion v) ? v : throw new ArgumentException(id);

    private static AuthDecision Check(RoomBuilder room, Pdu pdu) => AuthRules.Check(pdu, room.Version, room.State);

    // A room where alice created and joined, set power levels (alice 100 in v10/v11, creator-implied in v12) and a join rule.
    private static RoomBuilder Room(string version, string joinRule = "public", string levels = "{}")
    {
        var room = new RoomBuilder(V(version)).Member(Alice, "join");
        JsonObject pl = JsonNode.Parse(levels)!.AsObject();
        if (!room.Version.CreatorsHaveInfinitePower)
        {
            if (pl["users"] is not JsonObject users) pl["users"] = users = new JsonObject();
            users[Alice] = 100;
        }
        return room.PowerLevels(pl.ToJsonString()).JoinRule(joinRule);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_CreateEvent_Allowed(string version)
    {
        var room = new RoomBuilder(V(version));
        Assert.True(AuthRules.Check(room.Create, room.Version, new Dictionary<StateKey, Pdu>()).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_CreateWithPrevEventsOrUnknownVersion_Rejected(string version)
    {
        var room = new RoomBuilder(V(version));
        JsonObject json = (JsonObject)room.Create.Json.DeepClone();
        json["prev_events"] = new JsonArray("$x");
        Assert.False(AuthRules.Check(Pdu.FromJson(json, "$c"), room.Version, room.State).Allowed);
        json = (JsonObject)room.Create.Json.DeepClone();
        json["content"]!["room_version"] = "99";
        Assert.False(AuthRules.Check(Pdu.FromJson(json, "$c"), room.Version, room.State).Allowed);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("9")]
    public void Check_CreateNamingVersionThisServerCannotEvaluate_Rejected(string roomVersion)
    {
        var room = new RoomBuilder(RoomVersion.V11);
        JsonObject json = (JsonObject)room.Create.Json.DeepClone();
        json["content"]!["room_version"] = roomVersion;
        Assert.Equal("1.3: unknown room_version", AuthRules.Check(Pdu.FromJson(json, "$c"), room.Version, room.State).Reason);
    }

    [Fact]
    public void Check_V10CreateWithoutCreator_RejectedButV11Allows()
    {
        var room = new RoomBuilder(RoomVersion.V11);
        Assert.True(AuthRules.Check(room.Create, RoomVersion.V11, room.State).Allowed);
        Assert.False(room.Create.Content.ContainsKey("creator"));
        Assert.False(AuthRules.Check(room.Create, RoomVersion.V10, room.State).Allowed);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void Check_CreateRoomIdOnOtherDomain_Rejected(string version)
    {
        var room = new RoomBuilder(V(version));
        JsonObject json = (JsonObject)room.Create.Json.DeepClone();
        json["room_id"] = "!room:elsewhere.example";
        Assert.Equal("1.2: room_id domain differs from the sender's", AuthRules.Check(Pdu.FromJson(json, "$c"), room.Version, room.State).Reason);
    }

    [Fact]
    public void Check_V12CreateWithRoomIdOrBadAdditionalCreators_Rejected()
    {
        var room = new RoomBuilder(RoomVersion.V12);
        JsonObject json = (JsonObject)room.Create.Json.DeepClone();
        json["room_id"] = "!x";
        Assert.False(AuthRules.Check(Pdu.FromJson(json, "$c"), RoomVersion.V12, room.State).Allowed);
        json = (JsonObject)room.Create.Json.DeepClone();
        json["content"]!["additional_creators"] = new JsonArray("not-a-user");
        Assert.False(AuthRules.Check(Pdu.FromJson(json, "$c"), RoomVersion.V12, room.State).Allowed);
        json["content"]!["additional_creators"] = new JsonArray(Bob);
        Assert.True(AuthRules.Check(Pdu.FromJson(json, "$c"), RoomVersion.V12, room.State).Allowed);
    }

    [Fact]
    public void Check_V12RoomIdNotCreateEvent_Rejected()
    {
        var room = Room("12");
        Pdu pdu = room.Event(Alice, "m.room.message", null, "{}");
        Assert.True(Check(room, pdu).Allowed);
        pdu.Json["room_id"] = "!other";
        Assert.Equal("2: room_id is not the create event's ID", Check(room, Pdu.FromJson(pdu.Json, "$m")).Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_CreatorFirstJoinAfterCreate_Allowed(string version)
    {
        var room = new RoomBuilder(V(version));
        Assert.True(Check(room, room.Event(Alice, EventTypes.Member, Alice, "{\"membership\":\"join\"}", "$create")).Allowed);
        Assert.False(Check(room, room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"join\"}", "$create")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_JoinPublicRoom_AllowedUnlessBanned(string version)
    {
        var room = Room(version);
        Assert.True(Check(room, room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"join\"}")).Allowed);
        room.Member(Bob, "ban", Alice);
        Assert.Equal("5.3.3: sender is banned", Check(room, room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"join\"}")).Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_JoinForSomeoneElse_Rejected(string version)
    {
        var room = Room(version);
        Assert.False(Check(room, room.Event(Alice, EventTypes.Member, Bob, "{\"membership\":\"join\"}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_JoinInviteOnlyRoom_NeedsInvite(string version)
    {
        var room = Room(version, "invite");
        Pdu join = room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"join\"}");
        Assert.False(Check(room, join).Allowed);
        room.Member(Bob, "invite", Alice);
        Assert.True(Check(room, join).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_RestrictedJoin_NeedsAuthoriserAbleToInvite(string version)
    {
        foreach (string rule in (string[])["restricted", "knock_restricted"])
        {
            var room = Room(version, rule, "{\"invite\":50}");
            Assert.False(Check(room, room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"join\"}")).Allowed);
            Assert.True(Check(room, room.Event(Bob, EventTypes.Member, Bob, $"{{\"membership\":\"join\",\"join_authorised_via_users_server\":\"{Alice}\"}}")).Allowed);
            room.Member(Carol, "join");
            Assert.False(Check(room, room.Event(Bob, EventTypes.Member, Bob, $"{{\"membership\":\"join\",\"join_authorised_via_users_server\":\"{Carol}\"}}")).Allowed);
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_AuthorisedJoinNotSignedByAuthoriserServer_Rejected(string version)
    {
        var room = Room(version, "restricted");
        Pdu join = room.Event(Bob, EventTypes.Member, Bob, $"{{\"membership\":\"join\",\"join_authorised_via_users_server\":\"{Alice}\"}}");
        Assert.True(AuthRules.Check(join, room.Version, room.State, (_, server) => server == "a.example").Allowed);
        Assert.Equal("5.2: not signed by the authorising user's server", AuthRules.Check(join, room.Version, room.State, (_, _) => false).Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_Invite_NeedsJoinedSenderAtInviteLevel(string version)
    {
        var room = Room(version, "invite", "{\"invite\":50}");
        Assert.True(Check(room, room.Event(Alice, EventTypes.Member, Bob, "{\"membership\":\"invite\"}")).Allowed);
        room.Member(Carol, "join");
        Assert.Equal("5.4.5: sender below the invite level", Check(room, room.Event(Carol, EventTypes.Member, Bob, "{\"membership\":\"invite\"}")).Reason);
        room.Member(Bob, "ban", Alice);
        Assert.Equal("5.4.3: target is joined or banned", Check(room, room.Event(Alice, EventTypes.Member, Bob, "{\"membership\":\"invite\"}")).Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_ThirdPartyInvite_AllowedWhenSignatureMatchesPublishedKey(string version)
    {
        using SigningKey key = TestKeys.Spec();
        var room = Room(version, "invite");
        room.With(Alice, EventTypes.ThirdPartyInvite, "tok", $"{{\"public_key\":\"{UnpaddedBase64.Encode(key.PublicKey)}\"}}");
        JsonObject signed = JsonSigning.Sign(new JsonObject { ["mxid"] = Bob, ["token"] = "tok" }, "id.example", key);
        string content = new JsonObject { ["membership"] = "invite", ["third_party_invite"] = new JsonObject { ["signed"] = signed } }.ToJsonString();
        Assert.True(Check(room, room.Event(Alice, EventTypes.Member, Bob, content)).Allowed);

        signed["mxid"] = Carol;
        string forged = new JsonObject { ["membership"] = "invite", ["third_party_invite"] = new JsonObject { ["signed"] = signed.DeepClone() } }.ToJsonString();
        Assert.False(Check(room, room.Event(Alice, EventTypes.Member, Carol, forged)).Allowed);
        Assert.Equal("5.4.1.6: sender did not send the third-party invite", Check(room, room.Event(Carol, EventTypes.Member, Bob, content)).Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_LeaveOwnMembership_AllowedWhenJoinedOrInvited(string version)
    {
        var room = Room(version);
        Assert.False(Check(room, room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"leave\"}")).Allowed);
        room.Member(Bob, "invite", Alice);
        Assert.True(Check(room, room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"leave\"}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_KickAndBan_NeedLevelAboveTarget(string version)
    {
        var room = Room(version).Member(Bob, "join").Member(Carol, "join");
        Assert.True(Check(room, room.Event(Alice, EventTypes.Member, Bob, "{\"membership\":\"leave\"}")).Allowed);
        Assert.True(Check(room, room.Event(Alice, EventTypes.Member, Bob, "{\"membership\":\"ban\"}")).Allowed);
        Assert.False(Check(room, room.Event(Carol, EventTypes.Member, Bob, "{\"membership\":\"leave\"}")).Allowed);
        Assert.False(Check(room, room.Event(Carol, EventTypes.Member, Bob, "{\"membership\":\"ban\"}")).Allowed);
        Assert.False(Check(room, room.Event(Bob, EventTypes.Member, Alice, "{\"membership\":\"ban\"}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_Knock_OnlyWhenJoinRuleAllowsIt(string version)
    {
        Assert.False(Check(Room(version, "invite"), Room(version, "invite").Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"knock\"}")).Allowed);
        var room = Room(version, "knock");
        Assert.True(Check(room, room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"knock\"}")).Allowed);
        var restricted = Room(version, "knock_restricted");
        Assert.True(Check(restricted, restricted.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"knock\"}")).Allowed);
        restricted.Member(Bob, "ban", Alice);
        Assert.False(Check(restricted, restricted.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"knock\"}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_UnknownMembership_Rejected(string version)
    {
        var room = Room(version);
        Assert.Equal("5.8: unknown membership", Check(room, room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"dance\"}")).Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_MessageFromNonMember_Rejected(string version)
    {
        var room = Room(version);
        Assert.Equal("6: sender is not joined", Check(room, room.Event(Bob, "m.room.message", null, "{}")).Reason);
        room.Member(Bob, "join");
        Assert.True(Check(room, room.Event(Bob, "m.room.message", null, "{}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_StateEventBelowStateDefault_Rejected(string version)
    {
        var room = Room(version, levels: "{\"events\":{\"m.room.topic\":10}}").Member(Bob, "join");
        Assert.False(Check(room, room.Event(Bob, "m.room.name", "", "{}")).Allowed);
        Assert.False(Check(room, room.Event(Bob, "m.room.topic", "", "{}")).Allowed);
        Assert.True(Check(room, room.Event(Alice, "m.room.name", "", "{}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_StateKeyNamingOtherUser_Rejected(string version)
    {
        var room = Room(version);
        Assert.Equal("9: state key names another user", Check(room, room.Event(Alice, "m.custom", Bob, "{}")).Reason);
        Assert.True(Check(room, room.Event(Alice, "m.custom", Alice, "{}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_NotFederatingRoom_RejectsOtherServers(string version)
    {
        var room = new RoomBuilder(V(version), Alice, "{\"m.federate\":false}").Member(Alice, "join").JoinRule("public");
        Assert.Equal("4: the room does not federate", Check(room, room.Event(Bob, EventTypes.Member, Bob, "{\"membership\":\"join\"}")).Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_PowerLevelsWithStringValue_Rejected(string version)
    {
        var room = Room(version);
        Assert.Equal("10.1: ban is not an integer", Check(room, room.Event(Alice, EventTypes.PowerLevels, "", "{\"ban\":\"50\"}")).Reason);
        Assert.False(Check(room, room.Event(Alice, EventTypes.PowerLevels, "", "{\"events\":{\"m.room.name\":\"50\"}}")).Allowed);
        Assert.False(Check(room, room.Event(Alice, EventTypes.PowerLevels, "", "{\"users\":{\"not-a-user\":5}}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_PowerLevelsWithFloatOrOutOfRangeValue_Rejected(string version)
    {
        // Whole-valued floats are still floats: other servers reject them, so accepting them would split the room.
        var room = Room(version);
        Assert.Equal("10.1: ban is not an integer", Check(room, room.Event(Alice, EventTypes.PowerLevels, "", "{\"ban\":50.0}")).Reason);
        Assert.Equal("10.1: kick is not an integer", Check(room, room.Event(Alice, EventTypes.PowerLevels, "", "{\"kick\":5e1}")).Reason);
        Assert.False(Check(room, room.Event(Alice, EventTypes.PowerLevels, "", "{\"events\":{\"m.room.name\":1.5e1}}")).Allowed);
        Assert.False(Check(room, room.Event(Alice, EventTypes.PowerLevels, "", "{\"users\":{\"@bob:b.example\":9223372036854775807}}")).Allowed);
        Assert.False(Check(room, room.Event(Alice, EventTypes.PowerLevels, "", "{\"users\":{\"@bob:b.example\":-9223372036854775808}}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_PowerLevelsRaisingAboveSender_Rejected(string version)
    {
        var room = Room(version, levels: "{\"users\":{\"@bob:b.example\":50},\"state_default\":50}").Member(Bob, "join").Member(Carol, "join");
        Assert.True(Check(room, room.Event(Bob, EventTypes.PowerLevels, "", Levels(room, "{\"users\":{\"@bob:b.example\":50,\"@carol:c.example\":50},\"state_default\":50}"))).Allowed);
        Assert.False(Check(room, room.Event(Bob, EventTypes.PowerLevels, "", Levels(room, "{\"users\":{\"@bob:b.example\":50,\"@carol:c.example\":51},\"state_default\":50}"))).Allowed);
        Assert.False(Check(room, room.Event(Bob, EventTypes.PowerLevels, "", Levels(room, "{\"users\":{\"@bob:b.example\":50},\"state_default\":60}"))).Allowed);
        Assert.False(Check(room, room.Event(Bob, EventTypes.PowerLevels, "", Levels(room, "{\"users\":{\"@bob:b.example\":50},\"state_default\":50,\"events\":{\"m.x\":70}}"))).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Check_PowerLevelsDemotingPeer_RejectedButSelfDemotionAllowed(string version)
    {
        var room = Room(version, levels: "{\"users\":{\"@bob:b.example\":50,\"@carol:c.example\":50}}").Member(Bob, "join").Member(Carol, "join");
        Assert.Equal("10.9: cannot change @carol:c.example, who is not below the sender",
            Check(room, room.Event(Bob, EventTypes.PowerLevels, "", Levels(room, "{\"users\":{\"@bob:b.example\":50,\"@carol:c.example\":0}}"))).Reason);
        Assert.True(Check(room, room.Event(Bob, EventTypes.PowerLevels, "", Levels(room, "{\"users\":{\"@bob:b.example\":10,\"@carol:c.example\":50}}"))).Allowed);
    }

    [Fact]
    public void Check_V12PowerLevelsListingCreator_Rejected()
    {
        var room = Room("12");
        Assert.Equal("10.4: users lists a room creator", Check(room, room.Event(Alice, EventTypes.PowerLevels, "", "{\"users\":{\"@alice:a.example\":100}}")).Reason);
    }

    [Fact]
    public void Check_V12Creator_HasInfinitePowerOverEveryone()
    {
        var room = Room("12", levels: "{\"users\":{\"@bob:b.example\":9007199254740991}}").Member(Bob, "join");
        Assert.True(Check(room, room.Event(Alice, EventTypes.Member, Bob, "{\"membership\":\"ban\"}")).Allowed);
        Assert.False(Check(room, room.Event(Bob, EventTypes.Member, Alice, "{\"membership\":\"ban\"}")).Allowed);
    }

    [Fact]
    public void Check_V12AdditionalCreator_HasInfinitePower()
    {
        var room = new RoomBuilder(RoomVersion.V12, Alice, $"{{\"additional_creators\":[\"{Bob}\"]}}").Member(Alice, "join").Member(Bob, "join").PowerLevels("{}");
        Assert.True(Check(room, room.Event(Bob, "m.room.name", "", "{}")).Allowed);
        Assert.False(Check(room, room.Event(Bob, EventTypes.Member, Alice, "{\"membership\":\"ban\"}")).Allowed);
    }

    [Fact]
    public void Check_V10WithoutPowerLevels_CreatorHas100()
    {
        var room = new RoomBuilder(RoomVersion.V10).Member(Alice, "join").Member(Bob, "join");
        Assert.True(Check(room, room.Event(Alice, EventTypes.Member, Bob, "{\"membership\":\"ban\"}")).Allowed);
        // Without a power levels event state_default is 0, so anyone joined may send state.
        Assert.True(Check(room, room.Event(Bob, "m.room.name", "", "{}")).Allowed);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void CheckAgainstAuthEvents_DuplicateOrUnexpectedAuthEvent_Rejected(string version)
    {
        var room = Room(version);
        Pdu message = room.Event(Alice, "m.room.message", null, "{}");
        List<Pdu> good = [room.State[StateKey.PowerLevels], room.State[StateKey.Member(Alice)]];
        if (!room.Version.RoomIdIsCreateEventHash) good.Add(room.Create);
        Assert.True(AuthRules.CheckAgainstAuthEvents(message, room.Version, good, room.Create).Allowed);

        Assert.Equal("3.1: duplicate auth events for one key",
            AuthRules.CheckAgainstAuthEvents(message, room.Version, [.. good, room.State[StateKey.PowerLevels]], room.Create).Reason);
        Assert.Equal("3.2: an auth event is not one the selection algorithm picks",
            AuthRules.CheckAgainstAuthEvents(message, room.Version, [.. good, room.State[StateKey.JoinRules]], room.Create).Reason);
    }

    [Fact]
    public void CheckAgainstAuthEvents_V12ListingCreate_Rejected()
    {
        var room = Room("12");
        Pdu message = room.Event(Alice, "m.room.message", null, "{}");
        Assert.False(AuthRules.CheckAgainstAuthEvents(message, RoomVersion.V12, [room.Create, room.State[StateKey.Member(Alice)]], room.Create).Allowed);
        Assert.False(AuthRules.CheckAgainstAuthEvents(message, RoomVersion.V12, [room.State[StateKey.Member(Alice)]], roomCreateEvent: null).Allowed);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("11")]
    public void CheckAgainstAuthEvents_NoCreate_Rejected(string version)
    {
        var room = Room(version);
        Pdu message = room.Event(Alice, "m.room.message", null, "{}");
        Assert.Equal("2.4: no m.room.create among the auth events",
            AuthRules.CheckAgainstAuthEvents(message, room.Version, [room.State[StateKey.Member(Alice)]]).Reason);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void CheckAgainstAuthEvents_RejectedAuthEvent_Rejected(string version)
    {
        var room = Room(version);
        Pdu member = room.State[StateKey.Member(Alice)];
        Pdu rejectedMember = Pdu.FromJson(member.Json, member.EventId, rejected: true);
        Pdu message = room.Event(Alice, "m.room.message", null, "{}");
        List<Pdu> auth = [rejectedMember];
        if (!room.Version.RoomIdIsCreateEventHash) auth.Add(room.Create);
        Assert.Equal("3.3: an auth event was rejected", AuthRules.CheckAgainstAuthEvents(message, room.Version, auth, room.Create).Reason);
    }

    private static string Levels(RoomBuilder room, string content)
    {
        JsonObject pl = JsonNode.Parse(content)!.AsObject();
        if (!room.Version.CreatorsHaveInfinitePower) pl["users"]![Alice] = 100;
        return pl.ToJsonString();
    }
}
