using System.Security.Cryptography;
using System.Text;

namespace EdgeNode.Core.Accounts;

public enum ScramHash { Sha1, Sha256 }

/// <summary>
/// What the node keeps of a password for one SCRAM hash (RFC 5802): salt, iteration count, StoredKey and
/// ServerKey. It is enough to run SCRAM as a server and to check a password, and not enough to log in elsewhere.
/// </summary>
public sealed record ScramCredential(ScramHash Hash, byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey)
{
    public const int DefaultIterations = 10_000;
    private const int SaltLength = 16;

    public string Mechanism => MechanismName(Hash);

    public static string MechanismName(ScramHash hash) => hash == ScramHash.Sha1 ? "SCRAM-SHA-1" : "SCRAM-SHA-256";

    public static ScramCredential Create(ScramHash hash, string password, int iterations = DefaultIterations)
        => Derive(hash, password, RandomNumberGenerator.GetBytes(SaltLength), iterations);

    public static ScramCredential Derive(ScramHash hash, string password, byte[] salt, int iterations)
    {
        var salted = SaltedPassword(hash, password, salt, iterations);
        var clientKey = Hmac(hash, salted, "Client Key"u8);
        var storedKey = Digest(hash, clientKey);
        var serverKey = Hmac(hash, salted, "Server Key"u8);
        CryptographicOperations.ZeroMemory(salted);
        CryptographicOperations.ZeroMemory(clientKey);
        return new ScramCredential(hash, salt, iterations, storedKey, serverKey);
    }

    /// <summary>True when <paramref name="password"/> is the one this credential was made from (constant time in the keys).</summary>
    public bool Matches(string password)
    {
        var candidate = Derive(Hash, password, Salt, Iterations);
        return CryptographicOperations.FixedTimeEquals(candidate.StoredKey, StoredKey);
    }

    public static byte[] SaltedPassword(ScramHash hash, string password, byte[] salt, int iterations)
    {
        var bytes = Encoding.UTF8.GetBytes(PasswordRules.Prepare(password));
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, iterations, Algorithm(hash), HashLength(hash));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public static byte[] Hmac(ScramHash hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) =>
        hash == ScramHash.Sha1 ? HMACSHA1.HashData(key, data) : HMACSHA256.HashData(key, data);

    public static byte[] Digest(ScramHash hash, ReadOnlySpan<byte> data) =>
        hash == ScramHash.Sha1 ? SHA1.HashData(data) : SHA256.HashData(data);

    public static int HashLength(ScramHash hash) => hash == ScramHash.Sha1 ? 20 : 32;

    private static HashAlgorithmName Algorithm(ScramHash hash) => hash == ScramHash.Sha1 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
}
