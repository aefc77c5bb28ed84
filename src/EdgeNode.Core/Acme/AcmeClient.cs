using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization.Metadata;

namespace EdgeNode.Core.Acme;

/// <summary>A certificate an ACME server issued, with its private key, and the PEM chain as it came.</summary>
public sealed record AcmeIssued(X509Certificate2 Certificate, IReadOnlyList<X509Certificate2> Chain, string ChainPem, string KeyPem);

/// <summary>
/// The client side of ACME (RFC 8555) for the HTTP-01 challenge: account, order, authorizations, finalize with a
/// CSR, polling with Retry-After, and the certificate chain. Every answer is read through <see cref="AcmeMessages"/>
/// with its size capped; a refusal or an answer of the wrong kind is an <see cref="AcmeException"/>.
/// </summary>
public sealed class AcmeClient
{
    private const string BadNonce = "urn:ietf:params:acme:error:badNonce";
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMinutes(1);
    private const int MaxPolls = 30;

    private readonly HttpClient _http;
    private readonly Uri _directoryUrl;
    private readonly AcmeAccountKey _key;
    private readonly TimeProvider _time;
    private AcmeDirectory? _directory;
    private string? _nonce;
    private string? _accountUrl;

    public AcmeClient(HttpClient http, Uri directoryUrl, AcmeAccountKey key, TimeProvider? time = null)
    {
        _http = http;
        _directoryUrl = directoryUrl;
        _key = key;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Obtains a certificate for <paramref name="domains"/> (the first is the subject): registers or finds the
    /// account, orders, answers each HTTP-01 challenge through <paramref name="challenges"/>, finalizes with a new
    /// P-256 key and downloads the chain.
    /// </summary>
    public async Task<AcmeIssued> ObtainAsync(IReadOnlyList<string> domains, string? email, Http01Challenges challenges, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(domains.Count);
        var directory = await DirectoryAsync(cancellationToken).ConfigureAwait(false);
        await AccountAsync(directory, email, cancellationToken).ConfigureAwait(false);

        var newOrder = new AcmeNewOrder([.. domains.Select(d => new AcmeIdentifier("dns", d))]);
        var created = await PostAsync(directory.NewOrder!, newOrder, AcmeJsonContext.Default.AcmeNewOrder, "newOrder", cancellationToken).ConfigureAwait(false);
        var order = created.Json(AcmeJsonContext.Default.AcmeOrder, "newOrder");
        string orderUrl = created.Location ?? throw new AcmeException("newOrder: the server gave no Location for the order");
        if (order.Authorizations is null || order.Finalize is null) throw new AcmeException("newOrder: the order has no authorizations or no finalize URL");

        foreach (string authorizationUrl in order.Authorizations)
            await AuthorizeAsync(authorizationUrl, challenges, cancellationToken).ConfigureAwait(false);

        using var certificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={domains[0]}", certificateKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (string domain in domains) names.AddDnsName(domain);
        request.CertificateExtensions.Add(names.Build());
        var finalize = new AcmeFinalize(AcmeAccountKey.Base64Url(request.CreateSigningRequest()));
        var finalized = await PostAsync(order.Finalize, finalize, AcmeJsonContext.Default.AcmeFinalize, "finalize", cancellationToken).ConfigureAwait(false);
        order = finalized.Json(AcmeJsonContext.Default.AcmeOrder, "finalize");
        TimeSpan? wait = finalized.RetryAfter;
        for (int poll = 0; order.Status != "valid"; poll++)
        {
            if (order.Status is "invalid") throw new AcmeException($"order: the server made the order invalid{Describe(order.Error)}", order.Error?.Type);
            if (order.Status is not ("processing" or "ready" or "pending")) throw new AcmeException($"order: unexpected status '{order.Status}'");
            if (poll == MaxPolls) throw new AcmeException($"order: still '{order.Status}' after {MaxPolls} polls");
            await DelayAsync(wait, cancellationToken).ConfigureAwait(false);
            var polled = await PostAsync<AcmeEmpty>(orderUrl, null, AcmeJsonContext.Default.AcmeEmpty, "order", cancellationToken).ConfigureAwait(false);
            order = polled.Json(AcmeJsonContext.Default.AcmeOrder, "order");
            wait = polled.RetryAfter;
        }
        if (order.Certificate is null) throw new AcmeException("order: valid, but without a certificate URL");

        var download = await PostAsync<AcmeEmpty>(order.Certificate, null, AcmeJsonContext.Default.AcmeEmpty, "certificate", cancellationToken,
            accept: AcmeMessages.PemChainType).ConfigureAwait(false);
        var chain = AcmeMessages.ParsePemChain(download.Body, download.ContentType);
        X509Certificate2 leaf;
        try
        {
            leaf = chain[0].CopyWithPrivateKey(certificateKey);
        }
        catch (CryptographicException)
        {
            foreach (var c in chain) c.Dispose();
            throw new AcmeException("certificate: the issued certificate is not for the key the node sent");
        }
        chain[0].Dispose();
        string pem = System.Text.Encoding.UTF8.GetString(download.Body);
        return new AcmeIssued(leaf, chain.Skip(1).ToArray(), pem, certificateKey.ExportPkcs8PrivateKeyPem());
    }

    private async Task AuthorizeAsync(string url, Http01Challenges challenges, CancellationToken cancellationToken)
    {
        var fetched = await PostAsync<AcmeEmpty>(url, null, AcmeJsonContext.Default.AcmeEmpty, "authorization", cancellationToken).ConfigureAwait(false);
        var authorization = fetched.Json(AcmeJsonContext.Default.AcmeAuthorization, "authorization");
        if (authorization.Status == "valid") return;
        string name = authorization.Identifier?.Value ?? "?";
        var challenge = authorization.Challenges?.FirstOrDefault(c => c.Type == "http-01")
            ?? throw new AcmeException($"authorization for {name}: the server offers no http-01 challenge");
        if (challenge.Url is null || challenge.Token is null || !IsToken(challenge.Token))
            throw new AcmeException($"authorization for {name}: the http-01 challenge has no URL or a malformed token");

        challenges.Publish(challenge.Token, _key.KeyAuthorization(challenge.Token));
        try
        {
            var answered = await PostAsync(challenge.Url, new AcmeEmpty(), AcmeJsonContext.Default.AcmeEmpty, "challenge", cancellationToken).ConfigureAwait(false);
            answered.Json(AcmeJsonContext.Default.AcmeChallenge, "challenge");
            TimeSpan? wait = answered.RetryAfter;
            for (int poll = 0; ; poll++)
            {
                var polled = await PostAsync<AcmeEmpty>(url, null, AcmeJsonContext.Default.AcmeEmpty, "authorization", cancellationToken).ConfigureAwait(false);
                authorization = polled.Json(AcmeJsonContext.Default.AcmeAuthorization, "authorization");
                if (authorization.Status == "valid") return;
                if (authorization.Status != "pending")
                {
                    var failed = authorization.Challenges?.FirstOrDefault(c => c.Type == "http-01")?.Error;
                    throw new AcmeException($"authorization for {name}: {authorization.Status}{Describe(failed)}", failed?.Type);
                }
                if (poll == MaxPolls) throw new AcmeException($"authorization for {name}: still pending after {MaxPolls} polls");
                await DelayAsync(polled.RetryAfter ?? wait, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            challenges.Withdraw(challenge.Token);
        }
    }

    private async Task<AcmeDirectory> DirectoryAsync(CancellationToken cancellationToken)
    {
        if (_directory is not null) return _directory;
        using var request = new HttpRequestMessage(HttpMethod.Get, _directoryUrl);
        var answer = await SendAsync(request, "directory", cancellationToken).ConfigureAwait(false);
        var directory = answer.Json(AcmeJsonContext.Default.AcmeDirectory, "directory");
        if (!IsHttpUrl(directory.NewNonce) || !IsHttpUrl(directory.NewAccount) || !IsHttpUrl(directory.NewOrder))
            throw new AcmeException("directory: newNonce, newAccount or newOrder is missing or not an http(s) URL");
        return _directory = directory;
    }

    private async Task AccountAsync(AcmeDirectory directory, string? email, CancellationToken cancellationToken)
    {
        if (_accountUrl is not null) return;
        // The same key finds the same account again (RFC 8555 7.3.1), so the URL needs no storing.
        var payload = new AcmeNewAccount(true, email is null ? null : ["mailto:" + email]);
        var answer = await PostAsync(directory.NewAccount!, payload, AcmeJsonContext.Default.AcmeNewAccount, "newAccount", cancellationToken).ConfigureAwait(false);
        _accountUrl = answer.Location ?? throw new AcmeException("newAccount: the server gave no Location for the account");
    }

    private async Task<string> NonceAsync(CancellationToken cancellationToken)
    {
        if (_nonce is { } kept)
        {
            _nonce = null;
            return kept;
        }
        using var request = new HttpRequestMessage(HttpMethod.Head, _directory!.NewNonce);
        await SendAsync(request, "newNonce", cancellationToken).ConfigureAwait(false);
        var fresh = _nonce ?? throw new AcmeException("newNonce: the server gave no Replay-Nonce");
        _nonce = null;
        return fresh;
    }

    private async Task<Answer> PostAsync<T>(string url, T? payload, JsonTypeInfo<T> type, string what, CancellationToken cancellationToken,
        string accept = AcmeMessages.JsonType) where T : class
    {
        for (int attempt = 0; ; attempt++)
        {
            string nonce = await NonceAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new ByteArrayContent(_key.Sign(payload, type, url, nonce, _accountUrl)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jose+json");
            request.Headers.Accept.ParseAdd(accept);
            try
            {
                return await SendAsync(request, what, cancellationToken).ConfigureAwait(false);
            }
            catch (AcmeException e) when (e.ProblemType == BadNonce && attempt < 2)
            {
                // RFC 8555 6.5: a fresh nonce came with the refusal; the request is sent again with it.
            }
        }
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        request.Headers.UserAgent.ParseAdd("EdgeNode-ACME/1");
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new AcmeException($"{what}: cannot reach the ACME server at {request.RequestUri}: {e.Message}", e);
        }
        using (response)
        {
            if (response.Headers.TryGetValues("Replay-Nonce", out var nonces)) _nonce = nonces.FirstOrDefault();
            byte[] body = await ReadCappedAsync(response, what, cancellationToken).ConfigureAwait(false);
            string? contentType = response.Content.Headers.ContentType?.ToString();
            if (!response.IsSuccessStatusCode)
            {
                var problem = AcmeMessages.TryParseProblem(body, contentType);
                throw new AcmeException($"{what}: the server refused with {(int)response.StatusCode}{Describe(problem)}", problem?.Type);
            }
            TimeSpan? retryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - _time.GetUtcNow(),
                _ => null,
            };
            string? location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(request.RequestUri!, l)).ToString() : null;
            return new Answer(body, contentType, location, retryAfter);
        }
    }

    private static async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > AcmeMessages.MaxResponseBytes)
            throw new AcmeException($"{what}: the answer is larger than {AcmeMessages.MaxResponseBytes} bytes");
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream();
            byte[] chunk = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > AcmeMessages.MaxResponseBytes)
                    throw new AcmeException($"{what}: the answer is larger than {AcmeMessages.MaxResponseBytes} bytes");
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }

    private Task DelayAsync(TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var wait = retryAfter is { } r && r > TimeSpan.Zero ? (r < LongestPoll ? r : LongestPoll) : DefaultPoll;
        return Task.Delay(wait, _time, cancellationToken);
    }

    private static string Describe(AcmeProblem? problem) =>
        problem is null ? "" : $": {problem.Detail ?? "(no detail)"}{(problem.Type is null ? "" : $" ({problem.Type})")}";

    private static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    /// <summary>RFC 8555 8.3: a token is base64url characters only (it becomes a URL path segment on the node).</summary>
    internal static bool IsToken(string token) =>
        token.Length is > 0 and <= 256 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private sealed record Answer(byte[] Body, string? ContentType, string? Location, TimeSpan? RetryAfter)
    {
        public T Json<T>(JsonTypeInfo<T> type, string what) where T : class => AcmeMessages.ParseJson(Body, ContentType, type, what);
    }
}
