using System.Text.Json.Nodes;
using EdgeNode.Core.Crypto;
using EdgeNode.Matrix.Signing;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Tests.Signing;

public class XMatrixAuthorizationTests
{
    private const string Uri = "/_matrix/federation/v1/query/directory?room_alias=%23test%3Alocalhost%3A44033";
    private const string Expected = "7vt4vP/w8zYB3Zg77nuTPwie3TxEy2OHZQMsSa4nsXZzL4/qw+DguXbyMy3BF77XvSJmBt+Gw+fU6T4HId7fBg";

    private static SigningKey Key() => SigningKey.FromSeed("ed25519:a_Obwu", UnpaddedBase64.Decode("QJvXAPj0D9MUb1exkD8pIWmCvT1xajlsB8jRYz/G5HE"));

    [Fact]
    public void ComputeSignature_GetWithoutBody_MatchesVector()
    {
        using SigningKey key = Key();
        Assert.Equal(Expected, XMatrixAuthorization.ComputeSignature("GET", Uri, "localhost:8800", "localhost:44033", null, key));
    }

    [Fact]
    public void Verify_VectorSignature_TrueAndFalseForOtherDestination()
    {
        using SigningKey key = Key();
        Assert.True(XMatrixAuthorization.Verify("GET", Uri, "localhost:8800", "localhost:44033", null, "ed25519:a_Obwu", Expected, key.PublicKey));
        Assert.False(XMatrixAuthorization.Verify("GET", Uri, "localhost:8800", "localhost:1", null, "ed25519:a_Obwu", Expected, key.PublicKey));
    }

    [Fact]
    public void ComputeSignature_WithBody_CoversContent()
    {
        using SigningKey key = Key();
        var body = new JsonObject { ["pdus"] = new JsonArray() };
        string withBody = XMatrixAuthorization.ComputeSignature("PUT", "/_matrix/federation/v1/send/1", "a", "b", body, key);
        Assert.True(XMatrixAuthorization.Verify("PUT", "/_matrix/federation/v1/send/1", "a", "b", body, key.KeyId, withBody, key.PublicKey));
        Assert.False(XMatrixAuthorization.Verify("PUT", "/_matrix/federation/v1/send/1", "a", "b", new JsonObject(), key.KeyId, withBody, key.PublicKey));
    }

    [Fact]
    public void HeaderValue_Parameters_FormatAsSpecExample()
    {
        Assert.Equal(
            "X-Matrix origin=\"localhost:8800\",destination=\"localhost:44033\",key=\"ed25519:a_Obwu\",sig=\"" + Expected + "\"",
            XMatrixAuthorization.HeaderValue("localhost:8800", "localhost:44033", "ed25519:a_Obwu", Expected));
    }
}
