using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeNode.Core.Acme;

/// <summary>The directory object (RFC 8555 7.1.1): the URLs of the server's resources.</summary>
public sealed record AcmeDirectory(
    [property: JsonPropertyName("newNonce")] string? NewNonce,
    [property: JsonPropertyName("newAccount")] string? NewAccount,
    [property: JsonPropertyName("newOrder")] string? NewOrder,
    [property: JsonPropertyName("meta")] AcmeDirectoryMeta? Meta);

public sealed record AcmeDirectoryMeta([property: JsonPropertyName("termsOfService")] string? TermsOfService);

/// <summary>An order (RFC 8555 7.1.3).</summary>
public sealed record AcmeOrder(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("authorizations")] string[]? Authorizations,
    [property: JsonPropertyName("finalize")] string? Finalize,
    [property: JsonPropertyName("certificate")] string? Certificate,
    [property: JsonPropertyName("error")] AcmeProblem? Error);

/// <summary>An authorization (RFC 8555 7.1.4) with its challenges.</summary>
public sealed record AcmeAuthorization(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("identifier")] AcmeIdentifier? Identifier,
    [property: JsonPropertyName("challenges")] AcmeChallenge[]? Challenges);

public sealed record AcmeIdentifier(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value);

/// <summary>A challenge (RFC 8555 8); <see cref="Error"/> says why it failed.</summary>
public sealed record AcmeChallenge(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("error")] AcmeProblem? Error);

/// <summary>A problem document (RFC 7807, RFC 8555 6.7).</summary>
public sealed record AcmeProblem(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("status")] int? Status);

/// <summary>The payload of a newAccount request (RFC 8555 7.3).</summary>
public sealed record AcmeNewAccount(
    [property: JsonPropertyName("termsOfServiceAgreed")] bool TermsOfServiceAgreed,
    [property: JsonPropertyName("contact")] string[]? Contact);

/// <summary>The payload of a newOrder request (RFC 8555 7.4).</summary>
public sealed record AcmeNewOrder([property: JsonPropertyName("identifiers")] AcmeIdentifier[] Identifiers);

/// <summary>The payload of a finalize request: the CSR in base64url DER.</summary>
public sealed record AcmeFinalize([property: JsonPropertyName("csr")] string Csr);

/// <summary>The protected header of a JWS (RFC 8555 6.2): the account key (jwk) for newAccount, its URL (kid) after.</summary>
public sealed record AcmeProtectedHeader(
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("jwk")] AcmeJwk? Jwk,
    [property: JsonPropertyName("kid")] string? Kid,
    [property: JsonPropertyName("nonce")] string? Nonce,
    [property: JsonPropertyName("url")] string Url);

/// <summary>A P-256 public key as a JWK (RFC 7518 6.2.1).</summary>
public sealed record AcmeJwk(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("crv")] string Crv,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y")] string Y);

/// <summary>A JWS in flattened JSON serialisation (RFC 7515 7.2.2), as every ACME request body is.</summary>
public sealed record AcmeJws(
    [property: JsonPropertyName("protected")] string Protected,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("signature")] string Signature);

/// <summary>An empty JSON object: the payload that answers a challenge (RFC 8555 7.5.1).</summary>
public sealed record AcmeEmpty;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AcmeDirectory))]
[JsonSerializable(typeof(AcmeOrder))]
[JsonSerializable(typeof(AcmeAuthorization))]
[JsonSerializable(typeof(AcmeChallenge))]
[JsonSerializable(typeof(AcmeProblem))]
[JsonSerializable(typeof(AcmeNewAccount))]
[JsonSerializable(typeof(AcmeNewOrder))]
[JsonSerializable(typeof(AcmeFinalize))]
[JsonSerializable(typeof(AcmeProtectedHeader))]
[JsonSerializable(typeof(AcmeJws))]
[JsonSerializable(typeof(AcmeEmpty))]
public sealed partial class AcmeJsonContext : JsonSerializerContext;

/// <summary>
/// Reads what an ACME server answers: JSON objects of a known shape, problem documents and PEM chains. Every
/// failure is an <see cref="AcmeException"/> that says what was wrong, never another exception type.
/// </summary>
public static class AcmeMessages
{
    /// <summary>The largest answer read from an ACME server (a chain of three certificates is about 6 KiB).</summary>
    public const int MaxResponseBytes = 128 * 1024;

    public const string JsonType = "application/json";
    public const string ProblemType = "application/problem+json";
    public const string PemChainType = "application/pem-certificate-chain";

    /// <summary>Reads a JSON answer of type <typeparamref name="T"/>; what was asked for is named in the error.</summary>
    public static T ParseJson<T>(ReadOnlySpan<byte> body, string? contentType, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
        where T : class
    {
        if (!IsType(contentType, JsonType))
            throw new AcmeException($"{what}: the server answered with content type '{contentType ?? "(none)"}', not {JsonType}");
        if (body.Length > MaxResponseBytes) throw new AcmeException($"{what}: the answer is larger than {MaxResponseBytes} bytes");
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new AcmeException($"{what}: the answer is JSON null, not an object");
        }
        catch (JsonException e)
        {
            throw new AcmeException($"{what}: the answer is not valid JSON of the expected shape ({e.Message})");
        }
    }

    /// <summary>A problem document's text when the body is one (any content type that parses), else null.</summary>
    public static AcmeProblem? TryParseProblem(ReadOnlySpan<byte> body, string? contentType)
    {
        if (!IsType(contentType, ProblemType) && !IsType(contentType, JsonType)) return null;
        if (body.Length > MaxResponseBytes) return null;
        try
        {
            return JsonSerializer.Deserialize(body, AcmeJsonContext.Default.AcmeProblem);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads a PEM certificate chain (RFC 8555 9.1): the end-entity certificate first, then its issuers.</summary>
    public static IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> ParsePemChain(ReadOnlySpan<byte> body, string? contentType)
    {
        if (!IsType(contentType, PemChainType))
            throw new AcmeException($"certificate: the server answered with content type '{contentType ?? "(none)"}', not {PemChainType}");
        if (body.Length > MaxResponseBytes) throw new AcmeException($"certificate: the answer is larger than {MaxResponseBytes} bytes");
        string text;
        try
        {
            text = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new AcmeException("certificate: the PEM chain is not valid text");
        }
        var chain = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        try
        {
            chain.ImportFromPem(text);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new AcmeException($"certificate: the PEM chain cannot be read ({e.Message})");
        }
        if (chain.Count == 0) throw new AcmeException("certificate: the answer holds no certificate");
        return [.. chain];
    }

    /// <summary>Whether a Content-Type header names <paramref name="type"/> (parameters such as charset allowed).</summary>
    public static bool IsType(string? contentType, string type)
    {
        if (contentType is null) return false;
        var bare = contentType.AsSpan();
        int semicolon = bare.IndexOf(';');
        if (semicolon >= 0) bare = bare[..semicolon];
        return bare.Trim().Equals(type, StringComparison.OrdinalIgnoreCase);
    }
}
