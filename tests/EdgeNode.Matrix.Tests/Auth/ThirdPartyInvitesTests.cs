using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Auth;
using EdgeNode.Matrix.Signing;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Tests.Auth;

public class ThirdPartyInvitesTests
{
    private static string OtherKey(int i)
    {
        var seed = new byte[32];
        seed[0] = (byte)(i + 1);
        using SigningKey key = SigningKey.FromSeed("ed25519:0", seed);
        return UnpaddedBase64.Encode(key.PublicKey);
    }

    private static JsonObject Content(IEnumerable<string> keys) =>
        new() { ["public_keys"] = new JsonArray([.. keys.Select(k => (JsonNode)new JsonObject { ["public_key"] = k })]) };

    [Fact]
    public void AnySignatureMatches_KeyWithinTheCap_Allows()
    {
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = JsonSigning.Sign(new JsonObject { ["mxid"] = "@bob:b.example", ["token"] = "tok" }, "id.example", key);
        var keys = Enumerable.Range(0, ThirdPartyInvites.MaxPublicKeys - 1).Select(OtherKey).Append(UnpaddedBase64.Encode(key.PublicKey));
        Assert.True(ThirdPartyInvites.AnySignatureMatches(signed, Content(keys)));
    }

    [Fact]
    public void AnySignatureMatches_KeyPastTheCap_IsNotTried()
    {
        // A thousand published keys would mean a thousand verifications per signature on every auth check.
        using SigningKey key = TestKeys.Spec();
        JsonObject signed = JsonSigning.Sign(new JsonObject { ["mxid"] = "@bob:b.example", ["token"] = "tok" }, "id.example", key);
        var keys = Enumerable.Range(0, ThirdPartyInvites.MaxPublicKeys).Select(OtherKey).Append(UnpaddedBase64.Encode(key.PublicKey));
        Assert.False(ThirdPartyInvites.AnySignatureMatches(signed, Content(keys)));
    }

    [Fact]
    public void AnySignatureMatches_SignaturePastTheCap_IsNotTried()
    {
        using SigningKey key = TestKeys.Spec();
        var value = new JsonObject { ["mxid"] = "@bob:b.example", ["token"] = "tok" };
        string good = JsonSigning.ComputeSignature(value, key);
        string junk = UnpaddedBase64.Encode(new byte[64]);
        var signed = (JsonObject)value.DeepClone();
        for (int i = 0; i < ThirdPartyInvites.MaxSignatures; i++) JsonSigning.AddSignature(signed, $"junk{i}.example", "ed25519:1", junk);
        JsonSigning.AddSignature(signed, "id.example", "ed25519:1", good);
        Assert.False(ThirdPartyInvites.AnySignatureMatches(signed, Content([UnpaddedBase64.Encode(key.PublicKey)])));

        signed["signatures"]!.AsObject().Remove("junk0.example");
        Assert.True(ThirdPartyInvites.AnySignatureMatches(signed, Content([UnpaddedBase64.Encode(key.PublicKey)])));
    }

    [Fact]
    public void TryGetSignature_NotSixtyFourBytes_IsRefusedBeforeCanonicalising()
    {
        // The object has no canonical form (a fraction), so reaching the signed bytes would also say false;
        // the short signature must be refused on its own, which TryGetSignature shows without that step.
        var value = JsonNode.Parse("{\"a\":1.5,\"signatures\":{\"s\":{\"ed25519:1\":\"AAAA\"}}}")!.AsObject();
        Assert.False(JsonSigning.TryGetSignature(value, "s", "ed25519:1", out _));
        value["signatures"]!["s"]!["ed25519:1"] = UnpaddedBase64.Encode(new byte[64]);
        Assert.True(JsonSigning.TryGetSignature(value, "s", "ed25519:1", out byte[]? signature));
        Assert.Equal(64, signature.Length);
    }
}
