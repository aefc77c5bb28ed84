using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Json;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Tests.Events;

public class EventIdTests
{
    private static JsonObject Message() => JsonNode.Parse(
        "{\"type\":\"m.room.message\",\"room_id\":\"!r:domain\",\"sender\":\"@u:domain\",\"origin_server_ts\":5,\"depth\":2," +
        "\"prev_events\":[\"$a\"],\"auth_events\":[\"$b\"],\"content\":{\"body\":\"hi\"},\"hashes\":{\"sha256\":\"abc\"}," +
        "\"signatures\":{\"domain\":{\"ed25519:1\":\"sig\"}},\"unsigned\":{\"age_ts\":1}}")!.AsObject();

    [Fact]
    public void ReferenceHash_Message_IsSha256OfRedactedCanonicalFormWithoutSignatures()
    {
        // The redacted message keeps no content keys, and signatures and unsigned are dropped.
        byte[] expected = SHA256.HashData(CanonicalJson.Canonicalize(
            "{\"auth_events\":[\"$b\"],\"content\":{},\"depth\":2,\"hashes\":{\"sha256\":\"abc\"},\"origin_server_ts\":5,\"prev_events\":[\"$a\"],\"room_id\":\"!r:domain\",\"sender\":\"@u:domain\",\"type\":\"m.room.message\"}"u8));
        Assert.Equal(expected, EventHashing.ReferenceHash(Message(), RoomVersion.V11));
    }

    [Fact]
    public void ComputeEventId_Message_IsDollarAndUrlSafeUnpaddedHash()
    {
        string id = EventHashing.ComputeEventId(Message(), RoomVersion.V11);
        Assert.StartsWith("$", id);
        Assert.Equal(44, id.Length);
        Assert.True(UnpaddedBase64.TryDecodeUrlSafe(id[1..], out byte[] hash));
        Assert.Equal(EventHashing.ReferenceHash(Message(), RoomVersion.V11), hash);
        Assert.DoesNotContain('+', id);
        Assert.DoesNotContain('/', id);
        Assert.DoesNotContain('=', id);
    }

    [Fact]
    public void ComputeEventId_UnsignedSignaturesOrRedactableContentChanged_Unchanged()
    {
        string id = EventHashing.ComputeEventId(Message(), RoomVersion.V11);
        JsonObject changed = Message();
        changed["unsigned"] = new JsonObject { ["age_ts"] = 99 };
        changed["signatures"] = new JsonObject();
        changed["content"]!["body"] = "other";
        changed["origin"] = "elsewhere";
        Assert.Equal(id, EventHashing.ComputeEventId(changed, RoomVersion.V11));
    }

    [Fact]
    public void ComputeEventId_HashesChanged_Changes()
    {
        JsonObject changed = Message();
        changed["hashes"]!["sha256"] = "abd";
        Assert.NotEqual(EventHashing.ComputeEventId(Message(), RoomVersion.V11), EventHashing.ComputeEventId(changed, RoomVersion.V11));
    }

    [Fact]
    public void ComputeEventId_OriginUnderV10_IsCovered()
    {
        JsonObject changed = Message();
        changed["origin"] = "elsewhere";
        Assert.NotEqual(EventHashing.ComputeEventId(Message(), RoomVersion.V10), EventHashing.ComputeEventId(changed, RoomVersion.V10));
    }

    [Fact]
    public void ComputeRoomId_V12CreateEvent_IsBangAndCreateEventId()
    {
        var create = JsonNode.Parse(
            "{\"type\":\"m.room.create\",\"state_key\":\"\",\"sender\":\"@alice:example.org\",\"origin_server_ts\":1," +
            "\"content\":{\"room_version\":\"12\",\"additional_creators\":[\"@bob:example.org\"]},\"prev_events\":[],\"auth_events\":[],\"depth\":1,\"hashes\":{\"sha256\":\"x\"}}")!.AsObject();
        string eventId = EventHashing.ComputeEventId(create, RoomVersion.V12);
        string roomId = EventHashing.ComputeRoomId(create, RoomVersion.V12);
        Assert.Equal("!" + eventId[1..], roomId);
        Assert.Equal(eventId, EventHashing.CreateEventIdOfRoom(roomId));

        // Version 12 keeps the whole create content through redaction, so every creator is covered.
        JsonObject otherCreators = (JsonObject)create.DeepClone();
        otherCreators["content"]!["additional_creators"] = new JsonArray("@carol:example.org");
        Assert.NotEqual(roomId, EventHashing.ComputeRoomId(otherCreators, RoomVersion.V12));
    }

    [Fact]
    public void ComputeRoomId_CreateWithRoomIdOrOldVersion_Throws()
    {
        var create = JsonNode.Parse("{\"type\":\"m.room.create\",\"room_id\":\"!x:y\",\"sender\":\"@a:y\",\"content\":{}}")!.AsObject();
        Assert.Throws<ArgumentException>(() => EventHashing.ComputeRoomId(create, RoomVersion.V12));
        Assert.Throws<InvalidOperationException>(() => EventHashing.ComputeRoomId(create, RoomVersion.V11));
        var message = JsonNode.Parse("{\"type\":\"m.room.message\",\"sender\":\"@a:y\",\"content\":{}}")!.AsObject();
        Assert.Throws<ArgumentException>(() => EventHashing.ComputeRoomId(message, RoomVersion.V12));
    }
}
