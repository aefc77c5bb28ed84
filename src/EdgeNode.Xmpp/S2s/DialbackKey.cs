using System.Security.Cryptography;
using System.Text;

namespace EdgeNode.Xmpp.S2s;

/// <summary>
/// Dialback keys as XEP-0185 recommends: HMAC-SHA256 keyed with the hex SHA-256 of the node's secret over
/// "receiving originating stream-id", in lower-case hex. Only this node checks its own keys (the authoritative role),
/// so the secret never leaves the process.
/// </summary>
public sealed class DialbackKey
{
    private readonly byte[] _hmacKey;

    public DialbackKey(ReadOnlySpan<byte> secret)
    {
        _hmacKey = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(secret)));
    }

    /// <summary>A key made from a fresh random secret (for tests, and nodes without a data directory).</summary>
    public static DialbackKey CreateRandom() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The node's secret from <paramref name="path"/> (owner-only), made on first use. It is kept so that the running node
    /// can confirm keys made by `edgenode federation check`, and keys of streams opened before a restart.
    /// </summary>
    public static DialbackKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            try
            {
                using var stream = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
                stream.Write(RandomNumberGenerator.GetBytes(32));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process made it first: use theirs.
            }
        }

        return new DialbackKey(File.ReadAllBytes(path));
    }

    public string Generate(string receivingServer, string originatingServer, string streamId)
    {
        byte[] text = Encoding.UTF8.GetBytes(receivingServer + " " + originatingServer + " " + streamId);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_hmacKey, text));
    }

    /// <summary>Checks a key in constant time.</summary>
    public bool Verify(string receivingServer, string originatingServer, string streamId, string key)
    {
        byte[] expected = Encoding.ASCII.GetBytes(Generate(receivingServer, originatingServer, streamId));
        byte[] given = Encoding.UTF8.GetBytes(key.Trim());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
