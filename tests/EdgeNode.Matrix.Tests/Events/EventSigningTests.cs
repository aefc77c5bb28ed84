using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Tests.Events;

// The event vectors of the spec appendix "Cryptographic test vectors" use the redaction algorithm of
// room versions 1 to 10 (which keeps "origin"), so they run under room version 10.
public class EventSigningTests
{
    private const string MinimalEvent = "{\"room_id\":\"!x:domain\",\"sender\":\"@a:domain\",\"origin\":\"domain\",\"origin_server_ts\":1000000,\"signatures\":{},\"hashes\":{},\"type\":\"X\",\"content\":{},\"prev_events\":[],\"auth_events\":[],\"depth\":3,\"unsigned\":{\"age_ts\":1000000}}";
    private const string RedactableEvent = "{\"content\":{\"body\":\"Here is the message content\"},\"event_id\":\"$0:domain\",\"origin\":\"domain\",\"origin_server_ts\":1000000,\"type\":\"m.room.message\",\"room_id\":\"!r:domain\",\"sender\":\"@u:domain\",\"signatures\":{},\"unsigned\":{\"age_ts\":1000000}}";

    [Theory]
    [InlineData(MinimalEvent, "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos", "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg")]
    [InlineData(RedactableEvent, "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g", "Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA")]
    public void HashAndSign_SpecVector_ProducesSpecHashAndSignature(string json, string hash, string signature)
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject pdu = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(hash, UnpaddedBase64.Encode(EventHashing.ContentHash(pdu)));
        JsonObject signed = EventSigning.HashAndSign(pdu, RoomVersion.V10, "domain", key);

        Assert.Equal(hash, (string?)signed["hashes"]!["sha256"]);
        Assert.Equal(signature, (string?)signed["signatures"]!["domain"]!["ed25519:1"]);
        Assert.Equal(1000000, (int)signed["unsigned"]!["age_ts"]!);
        Assert.True(EventSigning.VerifySignature(signed, RoomVersion.V10, "domain", "ed25519:1", key.PublicKey));
        Assert.True(EventHashing.HasValidContentHash(signed));
    }

    [Fact]
    public void HashAndSign_MinimalEventUnderV11_DiffersBecauseOriginIsRedacted()
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject pdu = JsonNode.Parse(MinimalEvent)!.AsObject();
        JsonObject v10 = EventSigning.HashAndSign(pdu, RoomVersion.V10, "domain", key);
        JsonObject v11 = EventSigning.HashAndSign(pdu, RoomVersion.V11, "domain", key);
        Assert.Equal((string?)v10["hashes"]!["sha256"], (string?)v11["hashes"]!["sha256"]);
        Assert.NotEqual((string?)v10["signatures"]!["domain"]!["ed25519:1"], (string?)v11["signatures"]!["domain"]!["ed25519:1"]);
        Assert.True(EventSigning.VerifySignature(v11, RoomVersion.V11, "domain", "ed25519:1", key.PublicKey));
        Assert.False(EventSigning.VerifySignature(v11, RoomVersion.V10, "domain", "ed25519:1", key.PublicKey));
    }

    [Fact]
    public void VerifySignature_RedactedCopy_StillVerifiesButHashFails()
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = EventSigning.HashAndSign(JsonNode.Parse(RedactableEvent)!.AsObject(), RoomVersion.V11, "domain", key);
        JsonObject redacted = Redaction.Redact(signed, RoomVersion.V11);
        Assert.True(EventSigning.VerifySignature(redacted, RoomVersion.V11, "domain", "ed25519:1", key.PublicKey));
        Assert.False(EventHashing.HasValidContentHash(redacted));
    }

    [Fact]
    public void VerifySignature_EssentialFieldChanged_ReturnsFalse()
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = EventSigning.HashAndSign(JsonNode.Parse(RedactableEvent)!.AsObject(), RoomVersion.V11, "domain", key);
        signed["sender"] = "@mallory:domain";
        Assert.False(EventSigning.VerifySignature(signed, RoomVersion.V11, "domain", "ed25519:1", key.PublicKey));
    }

    [Fact]
    public void HasValidContentHash_ContentChanged_ReturnsFalse()
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = EventSigning.HashAndSign(JsonNode.Parse(RedactableEvent)!.AsObject(), RoomVersion.V11, "domain", key);
        signed["content"]!["body"] = "changed";
        Assert.False(EventHashing.HasValidContentHash(signed));
        // The signature covers only the redacted form, which has no body, so it still verifies.
        Assert.True(EventSigning.VerifySignature(signed, RoomVersion.V11, "domain", "ed25519:1", key.PublicKey));
    }

    [Fact]
    public void ContentHashAndPdu_DuplicateKey_FalseOrFormatExceptionInsteadOfArgumentException()
    {
        const string json = "{\"type\":\"m.room.message\",\"type\":\"m.x\",\"sender\":\"@a:x\",\"room_id\":\"!r:x\","
            + "\"origin_server_ts\":1,\"content\":{},\"hashes\":{\"sha256\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}";
        Assert.False(EventHashing.HasValidContentHash(JsonNode.Parse(json)!.AsObject()));
        Assert.Throws<FormatException>(() => Pdu.FromJson(JsonNode.Parse(json)!.AsObject(), "$e"));

        const string nested = "{\"type\":\"m.room.message\",\"sender\":\"@a:x\",\"room_id\":\"!r:x\",\"origin_server_ts\":1,"
            + "\"content\":{\"body\":\"a\",\"body\":\"b\"}}";
        Assert.Throws<FormatException>(() => Pdu.FromJson(JsonNode.Parse(nested)!.AsObject(), "$e"));
    }
}
