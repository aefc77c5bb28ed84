using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EdgeNode.Core.Acme;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// What an ACME server answers: the first byte picks the resource (directory, order, authorization, challenge,
/// problem document, PEM certificate chain) and the content type it came with, the rest is the body. Properties:
/// only AcmeException escapes; a problem document is read or ignored, never thrown; a parsed object written back
/// reads again to the same JSON; a chain holds at least one certificate.
/// </summary>
internal static class AcmeResponseTarget
{
    public static FuzzTarget Target { get; } = new(Check, typeof(AcmeException));

    private static readonly string?[] ContentTypes =
        [AcmeMessages.JsonType, AcmeMessages.ProblemType, AcmeMessages.PemChainType, "application/json; charset=utf-8", "text/html", null];

    private static void Check(ReadOnlySpan<byte> input)
    {
        if (input.Length == 0) return;
        int selector = input[0];
        string? contentType = ContentTypes[(selector >> 4) % ContentTypes.Length];
        ReadOnlySpan<byte> body = input[1..];
        AcmeMessages.TryParseProblem(body, contentType);
        switch (selector % 6)
        {
            case 0: RoundTrip(body, contentType, AcmeJsonContext.Default.AcmeDirectory); break;
            case 1: RoundTrip(body, contentType, AcmeJsonContext.Default.AcmeOrder); break;
            case 2: RoundTrip(body, contentType, AcmeJsonContext.Default.AcmeAuthorization); break;
            case 3: RoundTrip(body, contentType, AcmeJsonContext.Default.AcmeChallenge); break;
            case 4: RoundTrip(body, contentType, AcmeJsonContext.Default.AcmeProblem); break;
            default:
                var chain = AcmeMessages.ParsePemChain(body, contentType);
                PropertyViolationException.ThrowIfNot(chain.Count > 0, "a chain without certificates was accepted");
                foreach (var certificate in chain) certificate.Dispose();
                break;
        }
    }

    private static void RoundTrip<T>(ReadOnlySpan<byte> body, string? contentType, JsonTypeInfo<T> type) where T : class
    {
        var parsed = AcmeMessages.ParseJson(body, contentType, type, "fuzz");
        byte[] written = JsonSerializer.SerializeToUtf8Bytes(parsed, type);
        var again = AcmeMessages.ParseJson(written, AcmeMessages.JsonType, type, "fuzz again");
        byte[] rewritten = JsonSerializer.SerializeToUtf8Bytes(again, type);
        PropertyViolationException.ThrowIfNot(written.AsSpan().SequenceEqual(rewritten), "a parsed answer does not read back the same");
    }
}
