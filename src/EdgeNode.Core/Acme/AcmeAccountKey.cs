using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EdgeNode.Core.Acme;

/// <summary>
/// The ACME account key (ECDSA P-256): it signs every request as a JWS with ES256 (RFC 8555 6.2, RFC 7518 3.4)
/// and its JWK thumbprint (RFC 7638) makes the key authorizations of challenges.
/// </summary>
public sealed class AcmeAccountKey : IDisposable
{
    private readonly ECDsa _key;

    private AcmeAccountKey(ECDsa key)
    {
        _key = key;
        var p = key.ExportParameters(includePrivateParameters: false);
        Jwk = new AcmeJwk("EC", "P-256", Base64Url(p.Q.X!), Base64Url(p.Q.Y!));
        // RFC 7638 3.2: the required members only, in lexicographic order, no white space.
        var canonical = $"{{\"crv\":\"{Jwk.Crv}\",\"kty\":\"{Jwk.Kty}\",\"x\":\"{Jwk.X}\",\"y\":\"{Jwk.Y}\"}}";
        Thumbprint = Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public AcmeJwk Jwk { get; }

    /// <summary>base64url(SHA-256 of the canonical JWK).</summary>
    public string Thumbprint { get; }

    public static AcmeAccountKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The key kept in <paramref name="path"/> (PKCS#8 PEM, readable by the node's user only), made there on first use.</summary>
    public static AcmeAccountKey LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(path));
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                key.Dispose();
                throw new AcmeException($"the ACME account key '{path}' cannot be read: {e.Message}");
            }
            if (key.KeySize != 256)
            {
                key.Dispose();
                throw new AcmeException($"the ACME account key '{path}' is not a P-256 key");
            }
            return new AcmeAccountKey(key);
        }
        var fresh = Create();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SecretFile.Write(path, fresh._key.ExportPkcs8PrivateKeyPem());
        return fresh;
    }

    /// <summary>The key authorization of an HTTP-01 challenge (RFC 8555 8.1): token "." thumbprint.</summary>
    public string KeyAuthorization(string token) => token + "." + Thumbprint;

    /// <summary>
    /// A request body: <paramref name="payload"/> (null: POST-as-GET, an empty payload) signed for
    /// <paramref name="url"/> with <paramref name="nonce"/>; the key itself for newAccount, else the account URL.
    /// </summary>
    public byte[] Sign<T>(T? payload, JsonTypeInfo<T> type, string url, string nonce, string? accountUrl) where T : class
    {
        var header = new AcmeProtectedHeader("ES256", accountUrl is null ? Jwk : null, accountUrl, nonce, url);
        string protectedPart = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header, AcmeJsonContext.Default.AcmeProtectedHeader));
        string payloadPart = payload is null ? "" : Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload, type));
        // ES256 signatures are R || S, 32 bytes each (RFC 7518 3.4): .NET's IEEE P1363 format.
        byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return JsonSerializer.SerializeToUtf8Bytes(new AcmeJws(protectedPart, payloadPart, Base64Url(signature)), AcmeJsonContext.Default.AcmeJws);
    }

    public static string Base64Url(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public void Dispose() => _key.Dispose();
}
