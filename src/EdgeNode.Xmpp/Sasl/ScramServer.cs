using System.Security.Cryptography;
using System.Text;
using EdgeNode.Core.Accounts;

namespace EdgeNode.Xmpp.Sasl;

public enum SaslStep
{
    /// <summary>Send the challenge and wait for the client's response.</summary>
    Challenge,

    /// <summary>Authenticated; send success with <c>Data</c> (the server signature).</summary>
    Success,

    /// <summary>Refused; the condition says why.</summary>
    Failure,
}

/// <summary>
/// The server side of SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677) against the stored verifiers. Channel
/// binding is not offered (no -PLUS), so a client's gs2 flag must be "n" or "y". An unknown account runs the
/// exchange with a made-up salt and fails at the end, so that the answer does not tell which accounts exist.
/// </summary>
public sealed class ScramServer
{
    private readonly ScramHash _hash;
    private readonly string _domain;
    private readonly Func<string, ScramCredential?> _credentials;
    private readonly byte[] _fakeSaltKey;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;
    private string? _gs2Header;
    private ScramCredential? _credential;

    public ScramServer(ScramHash hash, string domain, Func<string, ScramCredential?> credentials, byte[] fakeSaltKey)
    {
        _hash = hash;
        _domain = domain;
        _credentials = credentials;
        _fakeSaltKey = fakeSaltKey;
    }

    public string Mechanism => ScramCredential.MechanismName(_hash);

    /// <summary>The bare address the client named (valid after the first message).</summary>
    public string? Account { get; private set; }

    /// <summary>The failure condition when a step fails (RFC 6120 6.5).</summary>
    public string FailureCondition { get; private set; } = "not-authorized";

    public SaslStep Start(ReadOnlySpan<byte> clientFirst, out byte[] data)
    {
        data = [];
        string message;
        try
        {
            message = new UTF8Encoding(false, true).GetString(clientFirst);
        }
        catch (DecoderFallbackException)
        {
            return Fail("malformed-request");
        }

        // gs2-header: cbind-flag "," [authzid] ","
        int first = message.IndexOf(',');
        int second = first < 0 ? -1 : message.IndexOf(',', first + 1);
        if (second < 0)
        {
            return Fail("malformed-request");
        }

        string flag = message[..first];
        if (flag is not ("n" or "y"))
        {
            return Fail(flag.StartsWith("p=", StringComparison.Ordinal) ? "not-authorized" : "malformed-request");
        }

        string authzid = message[(first + 1)..second];
        _gs2Header = message[..(second + 1)];
        _clientFirstBare = message[(second + 1)..];
        string? user = null;
        string? clientNonce = null;
        foreach (string part in _clientFirstBare.Split(','))
        {
            if (part.StartsWith("n=", StringComparison.Ordinal))
            {
                user = Unescape(part[2..]);
            }
            else if (part.StartsWith("r=", StringComparison.Ordinal))
            {
                clientNonce = part[2..];
            }
            else if (part.StartsWith("m=", StringComparison.Ordinal))
            {
                return Fail("malformed-request");
            }
        }

        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(clientNonce))
        {
            return Fail("malformed-request");
        }

        if (!TryAccount(user, out string? account))
        {
            return Fail("not-authorized");
        }

        if (authzid.Length > 0 && (!authzid.StartsWith("a=", StringComparison.Ordinal) || !string.Equals(TryBare(Unescape(authzid[2..])), account, StringComparison.Ordinal)))
        {
            return Fail("invalid-authzid");
        }

        Account = account;
        _credential = _credentials(account);
        byte[] salt = _credential?.Salt ?? FakeSalt(account);
        int iterations = _credential?.Iterations ?? ScramCredential.DefaultIterations;
        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(salt)},i={iterations}";
        data = Encoding.UTF8.GetBytes(_serverFirst);
        return SaslStep.Challenge;
    }

    public SaslStep Continue(ReadOnlySpan<byte> clientFinal, out byte[] data)
    {
        data = [];
        if (_serverFirst is null || _gs2Header is null || _clientFirstBare is null)
        {
            return Fail("malformed-request");
        }

        string message;
        try
        {
            message = new UTF8Encoding(false, true).GetString(clientFinal);
        }
        catch (DecoderFallbackException)
        {
            return Fail("malformed-request");
        }

        int proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return Fail("malformed-request");
        }

        string withoutProof = message[..proofAt];
        string? channel = null;
        string? nonce = null;
        foreach (string part in withoutProof.Split(','))
        {
            if (part.StartsWith("c=", StringComparison.Ordinal))
            {
                channel = part[2..];
            }
            else if (part.StartsWith("r=", StringComparison.Ordinal))
            {
                nonce = part[2..];
            }
        }

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(message[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            return Fail("malformed-request");
        }

        if (nonce != _nonce || channel != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header)))
        {
            return Fail("not-authorized");
        }

        if (_credential is null || proof.Length != ScramCredential.HashLength(_hash))
        {
            return Fail("not-authorized");
        }

        byte[] authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        byte[] clientSignature = ScramCredential.Hmac(_hash, _credential.StoredKey, authMessage);
        for (int i = 0; i < proof.Length; i++)
        {
            proof[i] ^= clientSignature[i];
        }

        byte[] storedKey = ScramCredential.Digest(_hash, proof);
        CryptographicOperations.ZeroMemory(proof);
        if (!CryptographicOperations.FixedTimeEquals(storedKey, _credential.StoredKey))
        {
            return Fail("not-authorized");
        }

        byte[] serverSignature = ScramCredential.Hmac(_hash, _credential.ServerKey, authMessage);
        data = Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature));
        return SaslStep.Success;
    }

    private SaslStep Fail(string condition)
    {
        FailureCondition = condition;
        return SaslStep.Failure;
    }

    private bool TryAccount(string user, out string account)
    {
        // A SASL username is the local part; some clients send the whole bare address.
        string candidate = user.Contains('@', StringComparison.Ordinal) ? user : $"{user}@{_domain}";
        account = TryBare(candidate) ?? "";
        return account.Length > 0 && account.EndsWith("@" + _domain, StringComparison.Ordinal);
    }

    private static string? TryBare(string text) =>
        Core.Addressing.Jid.TryParse(text, out var jid) && jid.Local is not null && jid.IsBare ? jid.ToString() : null;

    private byte[] FakeSalt(string account) =>
        HMACSHA256.HashData(_fakeSaltKey, Encoding.UTF8.GetBytes(account)).AsSpan(0, 16).ToArray();

    private static string Unescape(string saslName) => saslName.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
}
