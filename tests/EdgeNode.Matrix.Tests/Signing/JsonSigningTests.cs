using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Signing;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Tests.Signing;

public class JsonSigningTests
{
    [Fact]
    public void FromSeed_SpecSeed_DerivesSpecPublicKey()
    {
        using SigningKey key = TestKeys.Spec();
        Assert.Equal(TestKeys.SpecPublicKey, UnpaddedBase64.Encode(key.PublicKey));
    }

    [Theory]
    [InlineData("{}", "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ")]
    [InlineData("{\"one\":1,\"two\":\"Two\"}", "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw")]
    public void Sign_SpecVector_ProducesSpecSignature(string json, string expected)
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = JsonSigning.Sign(JsonNode.Parse(json)!.AsObject(), "domain", key);
        Assert.Equal(expected, (string?)signed["signatures"]!["domain"]!["ed25519:1"]);
        Assert.True(JsonSigning.Verify(signed, "domain", "ed25519:1", key.PublicKey));
    }

    [Fact]
    public void Sign_ExistingSignaturesAndUnsigned_AreKeptAndNotSigned()
    {
        using SigningKey key = TestKeys.Spec();
        var value = JsonNode.Parse("{\"one\":1,\"two\":\"Two\",\"unsigned\":{\"age_ts\":5},\"signatures\":{\"other\":{\"ed25519:x\":\"abc\"}}}")!.AsObject();
        JsonObject signed = JsonSigning.Sign(value, "domain", key);
        Assert.Equal("KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw", (string?)signed["signatures"]!["domain"]!["ed25519:1"]);
        Assert.Equal("abc", (string?)signed["signatures"]!["other"]!["ed25519:x"]);
        Assert.Equal(5, (int)signed["unsigned"]!["age_ts"]!);
        Assert.False(value["signatures"]!.AsObject().ContainsKey("domain"));
    }

    [Fact]
    public void Verify_TamperedValue_ReturnsFalse()
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = JsonSigning.Sign(JsonNode.Parse("{\"one\":1}")!.AsObject(), "domain", key);
        signed["one"] = 2;
        Assert.False(JsonSigning.Verify(signed, "domain", "ed25519:1", key.PublicKey));
    }

    [Fact]
    public void Verify_MissingEntityOrKeyOrBadBase64_ReturnsFalse()
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = JsonSigning.Sign(new JsonObject(), "domain", key);
        Assert.False(JsonSigning.Verify(signed, "elsewhere", "ed25519:1", key.PublicKey));
        Assert.False(JsonSigning.Verify(signed, "domain", "ed25519:2", key.PublicKey));
        Assert.False(JsonSigning.Verify(signed, "domain", "curve25519:1", key.PublicKey));
        signed["signatures"]!["domain"]!["ed25519:1"] = "not base64!";
        Assert.False(JsonSigning.Verify(signed, "domain", "ed25519:1", key.PublicKey));
    }

    [Fact]
    public void Verify_OtherPublicKey_ReturnsFalse()
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = JsonSigning.Sign(new JsonObject(), "domain", key);
        byte[] otherKey = UnpaddedBase64.Decode(TestKeys.SpecPublicKey);
        otherKey[0] ^= 1;
        Assert.False(JsonSigning.Verify(signed, "domain", "ed25519:1", otherKey));
    }

    [Fact]
    public void Verify_DuplicateKey_ReturnsFalseInsteadOfThrowing()
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = JsonSigning.Sign(new JsonObject { ["one"] = 1 }, "domain", key);
        string text = signed.ToJsonString();
        // The same key twice, at the top and inside a nested object: JsonObject would throw ArgumentException.
        var top = JsonNode.Parse("{\"one\":2," + text[1..])!.AsObject();
        var nested = JsonNode.Parse("{\"x\":{\"a\":1,\"a\":2}," + text[1..])!.AsObject();
        Assert.False(JsonSigning.Verify(top, "domain", "ed25519:1", key.PublicKey));
        Assert.False(JsonSigning.Verify(nested, "domain", "ed25519:1", key.PublicKey));
        Assert.Throws<EdgeNode.Matrix.Json.CanonicalJsonException>(() => JsonSigning.SignedBytes(top));
    }
}
