using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Json;

namespace EdgeNode.Matrix.Tests.Events;

// Expected outputs follow the key lists of the room version pages: v10 uses the v9 fragment,
// v11 and v12 the v11 fragment.
public class RedactionTests
{
    private const string Envelope =
        "\"event_id\":\"$e\",\"room_id\":\"!r:d\",\"sender\":\"@u:d\",\"origin\":\"d\",\"origin_server_ts\":1,\"depth\":4," +
        "\"prev_events\":[\"$p\"],\"auth_events\":[\"$a\"],\"hashes\":{\"sha256\":\"h\"},\"signatures\":{\"d\":{\"ed25519:1\":\"s\"}}," +
        "\"unsigned\":{\"age_ts\":1},\"membership\":\"join\",\"prev_state\":[],\"age_ts\":3,\"redacts\":\"$x\",\"extra\":true";

    private const string KeptV9 =
        "\"auth_events\":[\"$a\"],\"depth\":4,\"event_id\":\"$e\",\"hashes\":{\"sha256\":\"h\"},\"membership\":\"join\",\"origin\":\"d\"," +
        "\"origin_server_ts\":1,\"prev_events\":[\"$p\"],\"prev_state\":[],\"room_id\":\"!r:d\",\"sender\":\"@u:d\",\"signatures\":{\"d\":{\"ed25519:1\":\"s\"}}";

    private const string KeptV11 =
        "\"auth_events\":[\"$a\"],\"depth\":4,\"event_id\":\"$e\",\"hashes\":{\"sha256\":\"h\"}," +
        "\"origin_server_ts\":1,\"prev_events\":[\"$p\"],\"room_id\":\"!r:d\",\"sender\":\"@u:d\",\"signatures\":{\"d\":{\"ed25519:1\":\"s\"}}";

    private static string Redact(string type, string stateKey, string content, RoomVersion version)
    {
        string json = "{" + Envelope + ",\"type\":\"" + type + "\"" + (stateKey.Length > 0 ? ",\"state_key\":" + stateKey : "") + ",\"content\":" + content + "}";
        return Encoding.UTF8.GetString(CanonicalJson.Serialize(Redaction.Redact(JsonNode.Parse(json)!.AsObject(), version)));
    }

    private static string Expected(string kept, string type, string stateKey, string content)
    {
        // Canonicalise so the expected text need not be written in sorted order.
        string json = "{" + kept + ",\"type\":\"" + type + "\"" + (stateKey.Length > 0 ? ",\"state_key\":" + stateKey : "") + ",\"content\":" + content + "}";
        return Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));
    }

    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        // type, state key, content, expected content under v10, expected content under v11 and v12
        { "m.room.message", "", "{\"body\":\"b\",\"msgtype\":\"m.text\"}", "{}", "{}" },
        { "m.room.member", "\"@u:d\"",
            "{\"membership\":\"invite\",\"displayname\":\"U\",\"join_authorised_via_users_server\":\"@v:d\",\"third_party_invite\":{\"display_name\":\"x\",\"signed\":{\"mxid\":\"@u:d\",\"token\":\"t\"}}}",
            "{\"membership\":\"invite\",\"join_authorised_via_users_server\":\"@v:d\"}",
            "{\"membership\":\"invite\",\"join_authorised_via_users_server\":\"@v:d\",\"third_party_invite\":{\"signed\":{\"mxid\":\"@u:d\",\"token\":\"t\"}}}" },
        { "m.room.member", "\"@u:d\"", "{\"membership\":\"join\",\"third_party_invite\":{\"display_name\":\"x\"}}",
            "{\"membership\":\"join\"}", "{\"membership\":\"join\"}" },
        { "m.room.create", "\"\"", "{\"creator\":\"@u:d\",\"room_version\":\"10\",\"m.federate\":false,\"predecessor\":{\"room_id\":\"!o:d\"}}",
            "{\"creator\":\"@u:d\"}", "{\"creator\":\"@u:d\",\"room_version\":\"10\",\"m.federate\":false,\"predecessor\":{\"room_id\":\"!o:d\"}}" },
        { "m.room.join_rules", "\"\"", "{\"join_rule\":\"restricted\",\"allow\":[{\"type\":\"m.room_membership\",\"room_id\":\"!s:d\"}],\"other\":1}",
            "{\"join_rule\":\"restricted\",\"allow\":[{\"type\":\"m.room_membership\",\"room_id\":\"!s:d\"}]}",
            "{\"join_rule\":\"restricted\",\"allow\":[{\"type\":\"m.room_membership\",\"room_id\":\"!s:d\"}]}" },
        { "m.room.power_levels", "\"\"",
            "{\"ban\":50,\"events\":{\"m.room.name\":50},\"events_default\":0,\"invite\":0,\"kick\":50,\"redact\":50,\"state_default\":50,\"users\":{\"@u:d\":100},\"users_default\":0,\"notifications\":{\"room\":50}}",
            "{\"ban\":50,\"events\":{\"m.room.name\":50},\"events_default\":0,\"kick\":50,\"redact\":50,\"state_default\":50,\"users\":{\"@u:d\":100},\"users_default\":0}",
            "{\"ban\":50,\"events\":{\"m.room.name\":50},\"events_default\":0,\"invite\":0,\"kick\":50,\"redact\":50,\"state_default\":50,\"users\":{\"@u:d\":100},\"users_default\":0}" },
        { "m.room.history_visibility", "\"\"", "{\"history_visibility\":\"shared\",\"x\":1}", "{\"history_visibility\":\"shared\"}", "{\"history_visibility\":\"shared\"}" },
        { "m.room.redaction", "", "{\"redacts\":\"$x\",\"reason\":\"spam\"}", "{}", "{\"redacts\":\"$x\"}" },
        { "m.room.topic", "\"\"", "{\"topic\":\"t\"}", "{}", "{}" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Redact_V10_KeepsV9KeyLists(string type, string stateKey, string content, string v10, string v11)
    {
        _ = v11;
        Assert.Equal(Expected(KeptV9, type, stateKey, v10), Redact(type, stateKey, content, RoomVersion.V10));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Redact_V11_KeepsV11KeyLists(string type, string stateKey, string content, string v10, string v11)
    {
        _ = v10;
        Assert.Equal(Expected(KeptV11, type, stateKey, v11), Redact(type, stateKey, content, RoomVersion.V11));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Redact_V12_SameAsV11(string type, string stateKey, string content, string v10, string v11)
    {
        _ = v10;
        Assert.Equal(Expected(KeptV11, type, stateKey, v11), Redact(type, stateKey, content, RoomVersion.V12));
    }

    [Fact]
    public void Redact_Input_IsNotModified()
    {
        var pdu = JsonNode.Parse("{\"type\":\"m.room.message\",\"content\":{\"body\":\"b\"},\"unsigned\":{}}")!.AsObject();
        string before = pdu.ToJsonString();
        JsonObject redacted = Redaction.Redact(pdu, RoomVersion.V11);
        redacted["type"] = "changed";
        Assert.Equal(before, pdu.ToJsonString());
    }

    [Fact]
    public void Redact_NoContent_StaysWithoutContent()
    {
        var pdu = JsonNode.Parse("{\"type\":\"m.room.message\",\"sender\":\"@u:d\"}")!.AsObject();
        Assert.Equal("{\"sender\":\"@u:d\",\"type\":\"m.room.message\"}", Encoding.UTF8.GetString(CanonicalJson.Serialize(Redaction.Redact(pdu, RoomVersion.V11))));
    }
}
