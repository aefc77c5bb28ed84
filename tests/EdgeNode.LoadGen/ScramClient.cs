using System.Security.Cryptography;
using System.Text;
using EdgeNode.Core.Accounts;

namespace EdgeNode.LoadGen;

/// <summary>
/// The client side of SASL SCRAM (RFC 5802 / RFC 7677) without channel binding ("n,,"): the load generator's own,
/// so that it logs in to Prosody and EdgeNode the way any client would. Key math comes from ScramCredential.
/// </summary>
internal sealed class ScramClient
{
    private readonly ScramHash _hash;
    private readonly string _user;
    private readonly string _password;
    private readonly string _clientNonce;
    private byte[]? _serverSignature;

    public ScramClient(ScramHash hash, string user, string password)
    {
        _hash = hash;
        _user = user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);
        _password = password;
        _clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    }

    private string ClientFirstBare => $"n={_user},r={_clientNonce}";

    public byte[] ClientFirst() => Encoding.UTF8.GetBytes("n,," + ClientFirstBare);

    /// <summary>Answers the server-first message with the client-final message holding the proof.</summary>
    public byte[] ClientFinal(byte[] serverFirstBytes)
    {
        string serverFirst = Encoding.UTF8.GetString(serverFirstBytes);
        string? nonce = null, salt = null;
        int iterations = 0;
        foreach (string part in serverFirst.Split(','))
        {
            if (part.StartsWith("r=", StringComparison.Ordinal)) nonce = part[2..];
            else if (part.StartsWith("s=", StringComparison.Ordinal)) salt = part[2..];
            else if (part.StartsWith("i=", StringComparison.Ordinal)) iterations = int.Parse(part[2..], System.Globalization.CultureInfo.InvariantCulture);
        }

        if (nonce is null || salt is null || iterations <= 0 || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
        {
            throw new IOException($"SCRAM: malformed server-first message '{serverFirst}'");
        }

        string withoutProof = $"c=biws,r={nonce}";
        byte[] authMessage = Encoding.UTF8.GetBytes($"{ClientFirstBare},{serverFirst},{withoutProof}");
        byte[] salted = ScramCredential.SaltedPassword(_hash, _password, Convert.FromBase64String(salt), iterations);
        byte[] clientKey = ScramCredential.Hmac(_hash, salted, "Client Key"u8);
        byte[] storedKey = ScramCredential.Digest(_hash, clientKey);
        byte[] signature = ScramCredential.Hmac(_hash, storedKey, authMessage);
        for (int i = 0; i < clientKey.Length; i++) clientKey[i] ^= signature[i];
        byte[] serverKey = ScramCredential.Hmac(_hash, salted, "Server Key"u8);
        _serverSignature = ScramCredential.Hmac(_hash, serverKey, authMessage);
        return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(clientKey)}");
    }

    /// <summary>Checks the server's signature (v=...), so that the client knows the server holds the verifier.</summary>
    public void VerifyServerFinal(byte[] serverFinalBytes)
    {
        string serverFinal = Encoding.UTF8.GetString(serverFinalBytes);
        if (!serverFinal.StartsWith("v=", StringComparison.Ordinal) || _serverSignature is null
            || !CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(serverFinal[2..]), _serverSignature))
        {
            throw new IOException($"SCRAM: the server's signature does not verify ('{serverFinal}')");
        }
    }
}
