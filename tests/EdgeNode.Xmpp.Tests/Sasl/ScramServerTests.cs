using System.Security.Cryptography;
using System.Text;
using EdgeNode.Core.Accounts;
using EdgeNode.Xmpp.Sasl;

namespace EdgeNode.Xmpp.Tests.Sasl;

/// <summary>The SCRAM server against a client written from RFC 5802, with stored verifiers as the node keeps them.</summary>
public class ScramServerTests
{
    private static readonly byte[] Salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");

    [Theory]
    [InlineData(ScramHash.Sha256)]
    [InlineData(ScramHash.Sha1)]
    public void Exchange_RightPassword_SucceedsWithTheServerSignature(ScramHash hash)
    {
        var (step, serverFinal, expectedSignature) = Run(hash, "user", "pencil", "pencil");
        Assert.Equal(SaslStep.Success, step);
        Assert.Equal("v=" + Convert.ToBase64String(expectedSignature), Encoding.UTF8.GetString(serverFinal));
    }

    [Fact]
    public void Exchange_WrongPassword_FailsNotAuthorized()
    {
        var (step, _, _) = Run(ScramHash.Sha256, "user", "pencil", "crayon", out var server);
        Assert.Equal(SaslStep.Failure, step);
        Assert.Equal("not-authorized", server.FailureCondition);
    }

    [Fact]
    public void Exchange_UnknownUser_RunsToTheEndAndFails()
    {
        var server = new ScramServer(ScramHash.Sha256, "pi.example", _ => null, new byte[32]);
        Assert.Equal(SaslStep.Challenge, server.Start("n,,n=nobody,r=abc"u8, out byte[] challenge));
        Assert.Contains(",s=", Encoding.UTF8.GetString(challenge));
        string final = $"c=biws,r={Encoding.UTF8.GetString(challenge).Split(',')[0][2..]},p={Convert.ToBase64String(new byte[32])}";
        Assert.Equal(SaslStep.Failure, server.Continue(Encoding.UTF8.GetBytes(final), out _));
        Assert.Equal("not-authorized", server.FailureCondition);
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc", "not-authorized")]
    [InlineData("x,,n=user,r=abc", "malformed-request")]
    [InlineData("n,,r=abc", "malformed-request")]
    [InlineData("n,a=other@pi.example,n=user,r=abc", "invalid-authzid")]
    [InlineData("n,,n=user@elsewhere.example,r=abc", "not-authorized")]
    public void Start_BadFirstMessage_FailsWithItsCondition(string message, string condition)
    {
        var server = new ScramServer(ScramHash.Sha256, "pi.example", _ => Credential(ScramHash.Sha256), new byte[32]);
        Assert.Equal(SaslStep.Failure, server.Start(Encoding.UTF8.GetBytes(message), out _));
        Assert.Equal(condition, server.FailureCondition);
    }

    [Fact]
    public void Continue_NonceChanged_Fails()
    {
        var server = new ScramServer(ScramHash.Sha256, "pi.example", _ => Credential(ScramHash.Sha256), new byte[32]);
        server.Start("n,,n=user,r=abc"u8, out _);
        Assert.Equal(SaslStep.Failure, server.Continue(Encoding.UTF8.GetBytes($"c=biws,r=abcXYZ,p={Convert.ToBase64String(new byte[32])}"), out _));
    }

    private static ScramCredential Credential(ScramHash hash, string password = "pencil") => ScramCredential.Derive(hash, password, Salt, 4096);

    private static (SaslStep, byte[], byte[]) Run(ScramHash hash, string user, string stored, string typed) =>
        Run(hash, user, stored, typed, out _);

    private static (SaslStep, byte[], byte[]) Run(ScramHash hash, string user, string stored, string typed, out ScramServer server)
    {
        var credential = Credential(hash, stored);
        string? asked = null;
        server = new ScramServer(hash, "pi.example", account => { asked = account; return credential; }, new byte[32]);
        const string clientNonce = "rOprNGfwEbeRWgbNEkqO";
        string clientFirstBare = $"n={user},r={clientNonce}";
        Assert.Equal(SaslStep.Challenge, server.Start(Encoding.UTF8.GetBytes("n,," + clientFirstBare), out byte[] first));
        Assert.Equal("user@pi.example", asked);
        string serverFirst = Encoding.UTF8.GetString(first);
        var fields = serverFirst.Split(',').ToDictionary(f => f[0], f => f[2..]);
        Assert.StartsWith(clientNonce, fields['r']);
        Assert.Equal(Salt, Convert.FromBase64String(fields['s']));

        // The client side, RFC 5802 section 3.
        byte[] salted = ScramCredential.SaltedPassword(hash, typed, Convert.FromBase64String(fields['s']), int.Parse(fields['i'], System.Globalization.CultureInfo.InvariantCulture));
        byte[] clientKey = ScramCredential.Hmac(hash, salted, "Client Key"u8);
        byte[] storedKey = ScramCredential.Digest(hash, clientKey);
        string withoutProof = $"c=biws,r={fields['r']}";
        byte[] authMessage = Encoding.UTF8.GetBytes($"{clientFirstBare},{serverFirst},{withoutProof}");
        byte[] signature = ScramCredential.Hmac(hash, storedKey, authMessage);
        byte[] proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        byte[] serverKey = ScramCredential.Hmac(hash, salted, "Server Key"u8);
        byte[] expected = ScramCredential.Hmac(hash, serverKey, authMessage);
        SaslStep step = server.Continue(Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}"), out byte[] final);
        CryptographicOperations.ZeroMemory(salted);
        return (step, final, expected);
    }
}
