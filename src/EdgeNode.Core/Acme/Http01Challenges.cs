using System.Collections.Concurrent;

namespace EdgeNode.Core.Acme;

/// <summary>
/// The HTTP-01 challenges being answered now (RFC 8555 8.3): token to key authorization, served by the node's HTTP
/// listener at /.well-known/acme-challenge/{token} while the ACME client waits for the server to check it.
/// </summary>
public sealed class Http01Challenges
{
    /// <summary>The path prefix the ACME server fetches.</summary>
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);

    public void Publish(string token, string keyAuthorization) => _answers[token] = keyAuthorization;

    public void Withdraw(string token) => _answers.TryRemove(token, out _);

    /// <summary>The key authorization for <paramref name="token"/>, or null when none is being answered.</summary>
    public string? Answer(string token) => _answers.TryGetValue(token, out var answer) ? answer : null;
}
