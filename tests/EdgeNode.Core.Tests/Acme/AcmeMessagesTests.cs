using System.Text;
using EdgeNode.Core.Acme;

namespace EdgeNode.Core.Tests.Acme;

public class AcmeMessagesTests
{
    private static readonly byte[] Order = """{"status":"ready","authorizations":["https://a.example/authz/1"],"finalize":"https://a.example/f/1","extra":{"x":1}}"""u8.ToArray();

    [Theory]
    [InlineData("application/json")]
    [InlineData("Application/JSON; charset=utf-8")]
    public void ParseJson_JsonContentType_ReadsKnownMembersAndIgnoresOthers(string contentType)
    {
        var order = AcmeMessages.ParseJson(Order, contentType, AcmeJsonContext.Default.AcmeOrder, "order");
        Assert.Equal("ready", order.Status);
        Assert.Equal(["https://a.example/authz/1"], order.Authorizations!);
        Assert.Null(order.Certificate);
    }

    [Theory]
    [InlineData(null, "order: the server answered with content type '(none)', not application/json")]
    [InlineData("text/html", "order: the server answered with content type 'text/html', not application/json")]
    public void ParseJson_WrongContentType_NamesIt(string? contentType, string message) =>
        Assert.Equal(message, Assert.Throws<AcmeException>(() => AcmeMessages.ParseJson(Order, contentType, AcmeJsonContext.Default.AcmeOrder, "order")).Message);

    [Fact]
    public void ParseJson_EveryTruncation_AcmeExceptionOnly()
    {
        for (int length = 0; length < Order.Length; length++)
        {
            var error = Assert.Throws<AcmeException>(() => AcmeMessages.ParseJson(Order.AsSpan(0, length), "application/json", AcmeJsonContext.Default.AcmeOrder, "order"));
            Assert.StartsWith("order: the answer is", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[1,2]")]
    [InlineData("{\"status\":5}")]
    [InlineData("{\"authorizations\":\"not a list\"}")]
    public void ParseJson_WrongShape_AcmeException(string body) =>
        Assert.Throws<AcmeException>(() => AcmeMessages.ParseJson(Encoding.UTF8.GetBytes(body), "application/json", AcmeJsonContext.Default.AcmeOrder, "order"));

    [Fact]
    public void ParseJson_OverTheCap_RefusedBeforeParsing()
    {
        var big = new byte[AcmeMessages.MaxResponseBytes + 1];
        var error = Assert.Throws<AcmeException>(() => AcmeMessages.ParseJson(big, "application/json", AcmeJsonContext.Default.AcmeOrder, "order"));
        Assert.Equal("order: the answer is larger than 131072 bytes", error.Message);
    }

    [Fact]
    public void TryParseProblem_ProblemDocument_TypeAndDetail_GarbageIsNull()
    {
        var problem = AcmeMessages.TryParseProblem("""{"type":"urn:ietf:params:acme:error:badNonce","detail":"stale","status":400}"""u8, "application/problem+json");
        Assert.Equal(new AcmeProblem("urn:ietf:params:acme:error:badNonce", "stale", 400), problem);
        Assert.Null(AcmeMessages.TryParseProblem("<html>"u8, "application/problem+json"));
        Assert.Null(AcmeMessages.TryParseProblem("{}"u8, "text/html"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")]
    [InlineData("just text")]
    public void ParsePemChain_NoCertificate_AcmeException(string body) =>
        Assert.Throws<AcmeException>(() => AcmeMessages.ParsePemChain(Encoding.UTF8.GetBytes(body), "application/pem-certificate-chain"));

    [Fact]
    public void ParsePemChain_LeafThenIssuer_InOrder()
    {
        using var issuer = EdgeNode.Core.Crypto.NodeCertificate.CreateSelfSigned("ca.example", DateTimeOffset.UtcNow);
        using var leaf = EdgeNode.Core.Crypto.NodeCertificate.CreateSelfSigned("leaf.example", DateTimeOffset.UtcNow);
        var pem = leaf.ExportCertificatePem() + "\n" + issuer.ExportCertificatePem() + "\n";
        var chain = AcmeMessages.ParsePemChain(Encoding.ASCII.GetBytes(pem), "application/pem-certificate-chain");
        Assert.Equal([leaf.Thumbprint, issuer.Thumbprint], chain.Select(c => c.Thumbprint).ToArray());
    }

    [Fact]
    public void KeyAuthorization_TokenDotThumbprintOfTheJwk()
    {
        using var key = AcmeAccountKey.Create();
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{key.Jwk.X}\",\"y\":\"{key.Jwk.Y}\"}}";
        var thumbprint = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(canonical))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal("tok_en-1." + thumbprint, key.KeyAuthorization("tok_en-1"));
        Assert.Equal(43, key.Jwk.X.Length); // 32 bytes, unpadded base64url
    }

    [Fact]
    public void LoadOrCreate_SameFile_SameKey()
    {
        using var dir = new TempDir();
        using var first = AcmeAccountKey.LoadOrCreate(dir.File("acme/account.key"));
        using var again = AcmeAccountKey.LoadOrCreate(dir.File("acme/account.key"));
        Assert.Equal(first.Thumbprint, again.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("acme/account.key")));
    }
}
