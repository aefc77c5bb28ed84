using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Core.Tests.Acme;

/// <summary>How the test ACME server misbehaves.</summary>
public enum AcmeFault { None, MalformedOrderJson, WrongCertificateContentType, OversizedCertificate, BadNonceOnce, ProcessingWithRetryAfter }

/// <summary>
/// Just enough of an ACME server (RFC 8555) for tests, on loopback: nonces checked once each, every JWS verified
/// (ES256 with the account's JWK), HTTP-01 checked by really fetching the challenge over HTTP from
/// 127.0.0.1:<see cref="ChallengePort"/> with the identifier as Host, certificates issued by a test CA.
/// </summary>
public sealed class TestAcmeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, byte> _nonces = new();
    private readonly ConcurrentDictionary<string, JsonObject> _accounts = new();
    private readonly ConcurrentDictionary<string, Order> _orders = new();
    private readonly ConcurrentDictionary<string, Authz> _authzs = new();
    private readonly ConcurrentDictionary<string, string> _certificates = new();
    private readonly HttpClient _fetcher = new() { Timeout = TimeSpan.FromSeconds(10) };
    private int _next;

    public TestAcmeServer(TimeProvider time)
    {
        _time = time;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=EdgeNode Test ACME CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = time.GetUtcNow();
        Ca = caRequest.CreateSelfSigned(now.AddYears(-1), now.AddYears(10));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/directory", Directory);
        _app.MapMethods("/nonce", ["HEAD", "GET"], context => { AddNonce(context); return Task.CompletedTask; });
        _app.MapPost("/{kind}/{id?}", Post);
    }

    public X509Certificate2 Ca { get; }
    public Uri DirectoryUrl => new(BaseUrl + "/directory");
    public string BaseUrl { get; private set; } = "";

    /// <summary>The port the HTTP-01 challenge is fetched from (ACME servers use 80; tests use the node's listener).</summary>
    public int ChallengePort { get; set; }

    /// <summary>How long issued certificates are valid.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(90);

    public AcmeFault Fault { get; set; }

    /// <summary>newOrder requests received (with BadNonceOnce the first is refused); when the order was finalized and when it was polled, on the server's clock.</summary>
    public int NewOrders;
    public DateTimeOffset? FinalizedAt { get; private set; }
    public List<DateTimeOffset> OrderPolls { get; } = [];

    /// <summary>Challenge validations that fetched the right key authorization / that failed.</summary>
    public int Validations;
    public int FailedValidations;

    public async Task StartAsync()
    {
        await _app.StartAsync();
        BaseUrl = _app.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _fetcher.Dispose();
        Ca.Dispose();
    }

    private Task Directory(HttpContext context) => Json(context, 200, new JsonObject
    {
        ["newNonce"] = BaseUrl + "/nonce",
        ["newAccount"] = BaseUrl + "/new-account",
        ["newOrder"] = BaseUrl + "/new-order",
        ["meta"] = new JsonObject { ["termsOfService"] = BaseUrl + "/terms" },
    });

    private async Task Post(HttpContext context, string kind, string? id)
    {
        AddNonce(context);
        if (context.Request.ContentType != "application/jose+json") { await Problem(context, 415, "malformed", "not application/jose+json"); return; }
        var (payload, account, problem) = await Verify(context, jwkAllowed: kind == "new-account");
        if (problem is not null) { await Problem(context, problem.Value.Status, problem.Value.Type, problem.Value.Detail); return; }
        switch (kind)
        {
            case "new-account":
                if (payload?["termsOfServiceAgreed"]?.GetValue<bool>() != true) { await Problem(context, 403, "userActionRequired", "terms not agreed"); return; }
                var existing = _accounts.FirstOrDefault(a => JsonNode.DeepEquals(a.Value, account!["jwk"]));
                var accountId = existing.Key ?? Next();
                _accounts[accountId] = (JsonObject)account!["jwk"]!.DeepClone();
                context.Response.Headers.Location = $"{BaseUrl}/acct/{accountId}";
                await Json(context, existing.Key is null ? 201 : 200, new JsonObject { ["status"] = "valid" });
                return;
            case "new-order":
                if (Interlocked.Increment(ref NewOrders) == 1 && Fault == AcmeFault.BadNonceOnce) { await Problem(context, 400, "badNonce", "try another nonce"); return; }
                var order = new Order(Next(), account!["kid"]!.GetValue<string>());
                foreach (var identifier in payload!["identifiers"]!.AsArray())
                {
                    var authz = new Authz(Next(), identifier!["value"]!.GetValue<string>(), Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
                    _authzs[authz.Id] = authz;
                    order.Authzs.Add(authz.Id);
                }
                _orders[order.Id] = order;
                context.Response.Headers.Location = $"{BaseUrl}/order/{order.Id}";
                if (Fault == AcmeFault.MalformedOrderJson) { context.Response.StatusCode = 201; context.Response.ContentType = "application/json"; await context.Response.WriteAsync("{\"status\": \"pending\", \"authorizations\": [\"x\""); return; }
                await Json(context, 201, OrderJson(order));
                return;
            case "order":
                lock (OrderPolls) OrderPolls.Add(_time.GetUtcNow());
                var polledOrder = _orders[id!];
                if (polledOrder.Status == "processing") polledOrder.Status = "valid";
                await Json(context, 200, OrderJson(polledOrder));
                return;
            case "authz":
                await Json(context, 200, AuthzJson(_authzs[id!]));
                return;
            case "chall":
                var challenged = _authzs[id!];
                await Validate(challenged, account!["kid"]!.GetValue<string>());
                await Json(context, 200, ChallengeJson(challenged));
                return;
            case "finalize":
                var finalizing = _orders[id!];
                if (finalizing.Authzs.Any(a => _authzs[a].Status != "valid")) { await Problem(context, 403, "orderNotReady", "not all authorizations are valid"); return; }
                var csr = Convert.FromBase64String(Pad(payload!["csr"]!.GetValue<string>()));
                _certificates[finalizing.Id] = Issue(csr, finalizing);
                FinalizedAt = _time.GetUtcNow();
                if (Fault == AcmeFault.ProcessingWithRetryAfter)
                {
                    finalizing.Status = "processing";
                    context.Response.Headers.RetryAfter = "7";
                }
                else
                {
                    finalizing.Status = "valid";
                }
                await Json(context, 200, OrderJson(finalizing));
                return;
            case "cert":
                var pem = _certificates[id!];
                if (Fault == AcmeFault.OversizedCertificate) pem += new string('A', 300 * 1024);
                context.Response.ContentType = Fault == AcmeFault.WrongCertificateContentType ? "text/html" : "application/pem-certificate-chain";
                await context.Response.WriteAsync(pem);
                return;
            default:
                await Problem(context, 404, "malformed", "no such resource");
                return;
        }
    }

    private async Task Validate(Authz authz, string accountUrl)
    {
        var jwk = _accounts[accountUrl[(accountUrl.LastIndexOf('/') + 1)..]];
        string canonical = $"{{\"crv\":\"{jwk["crv"]}\",\"kty\":\"{jwk["kty"]}\",\"x\":\"{jwk["x"]}\",\"y\":\"{jwk["y"]}\"}}";
        string expected = authz.Token + "." + B64(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{ChallengePort}/.well-known/acme-challenge/{authz.Token}");
            request.Headers.Host = authz.Domain;
            using var response = await _fetcher.SendAsync(request);
            string body = (await response.Content.ReadAsStringAsync()).Trim();
            if (response.IsSuccessStatusCode && body == expected)
            {
                authz.Status = "valid";
                Interlocked.Increment(ref Validations);
                return;
            }
            authz.Error = $"the key authorization at {authz.Domain} was {(int)response.StatusCode} '{body}'";
        }
        catch (HttpRequestException e)
        {
            authz.Error = $"cannot fetch the challenge from {authz.Domain}: {e.Message}";
        }
        authz.Status = "invalid";
        Interlocked.Increment(ref FailedValidations);
    }

    private string Issue(byte[] csr, Order order)
    {
        var request = CertificateRequest.LoadSigningRequest(csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var wanted = order.Authzs.Select(a => _authzs[a].Domain).Order().ToArray();
        var names = request.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).Order().ToArray();
        if (!wanted.SequenceEqual(names)) throw new InvalidOperationException("the CSR names differ from the order");
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var now = _time.GetUtcNow();
        using var leaf = request.Create(Ca, now.AddMinutes(-5), now + Lifetime, RandomNumberGenerator.GetBytes(12));
        return leaf.ExportCertificatePem() + "\n" + Ca.ExportCertificatePem() + "\n";
    }

    /// <summary>Checks the flattened JWS: protected header, nonce used once, URL, then the ES256 signature.</summary>
    private async Task<(JsonNode? Payload, JsonObject? Account, (int Status, string Type, string Detail)? Problem)> Verify(HttpContext context, bool jwkAllowed)
    {
        JsonObject jws;
        try
        {
            jws = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
        }
        catch (JsonException) { return (null, null, (400, "malformed", "body is not JSON")); }
        string protectedPart = jws["protected"]!.GetValue<string>(), payloadPart = jws["payload"]!.GetValue<string>();
        var header = JsonNode.Parse(Convert.FromBase64String(Pad(protectedPart)))!.AsObject();
        if (header["alg"]?.GetValue<string>() != "ES256") return (null, null, (400, "badSignatureAlgorithm", "ES256 only"));
        if (header["nonce"]?.GetValue<string>() is not { } nonce || !_nonces.TryRemove(nonce, out _)) return (null, null, (400, "badNonce", "unknown or used nonce"));
        string url = $"{BaseUrl}{context.Request.Path}";
        if (header["url"]?.GetValue<string>() != url) return (null, null, (401, "unauthorized", "url mismatch"));
        JsonObject jwk;
        var account = new JsonObject();
        if (header["jwk"] is JsonObject given)
        {
            if (!jwkAllowed || header["kid"] is not null) return (null, null, (400, "malformed", "jwk only for newAccount"));
            jwk = given;
            account["jwk"] = given.DeepClone();
        }
        else
        {
            string kid = header["kid"]?.GetValue<string>() ?? "";
            if (!_accounts.TryGetValue(kid[(kid.LastIndexOf('/') + 1)..], out var known)) return (null, null, (400, "accountDoesNotExist", "no such account"));
            jwk = known;
            account["kid"] = kid;
        }
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Convert.FromBase64String(Pad(jwk["x"]!.GetValue<string>())), Y = Convert.FromBase64String(Pad(jwk["y"]!.GetValue<string>())) },
        });
        var signature = Convert.FromBase64String(Pad(jws["signature"]!.GetValue<string>()));
        if (!key.VerifyData(Encoding.ASCII.GetBytes(protectedPart + "." + payloadPart), signature, HashAlgorithmName.SHA256))
            return (null, null, (401, "unauthorized", "bad signature"));
        var payload = payloadPart.Length == 0 ? null : JsonNode.Parse(Convert.FromBase64String(Pad(payloadPart)));
        return (payload, account, null);
    }

    private JsonObject OrderJson(Order order)
    {
        var status = order.Status is "valid" or "processing" ? order.Status
            : order.Authzs.Any(a => _authzs[a].Status == "invalid") ? "invalid"
            : order.Authzs.All(a => _authzs[a].Status == "valid") ? "ready" : "pending";
        var json = new JsonObject
        {
            ["status"] = status,
            ["authorizations"] = new JsonArray([.. order.Authzs.Select(a => JsonValue.Create($"{BaseUrl}/authz/{a}"))]),
            ["finalize"] = $"{BaseUrl}/finalize/{order.Id}",
        };
        if (status == "valid") json["certificate"] = $"{BaseUrl}/cert/{order.Id}";
        return json;
    }

    private JsonObject AuthzJson(Authz authz) => new()
    {
        ["status"] = authz.Status,
        ["identifier"] = new JsonObject { ["type"] = "dns", ["value"] = authz.Domain },
        ["challenges"] = new JsonArray(ChallengeJson(authz)),
    };

    private JsonObject ChallengeJson(Authz authz)
    {
        var json = new JsonObject
        {
            ["type"] = "http-01",
            ["url"] = $"{BaseUrl}/chall/{authz.Id}",
            ["status"] = authz.Status,
            ["token"] = authz.Token,
        };
        if (authz.Error is not null) json["error"] = new JsonObject { ["type"] = "urn:ietf:params:acme:error:unauthorized", ["detail"] = authz.Error };
        return json;
    }

    private void AddNonce(HttpContext context)
    {
        var nonce = B64(RandomNumberGenerator.GetBytes(16));
        _nonces[nonce] = 0;
        context.Response.Headers["Replay-Nonce"] = nonce;
        context.Response.Headers.CacheControl = "no-store";
    }

    private static Task Json(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static Task Problem(HttpContext context, int status, string type, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(new JsonObject { ["type"] = "urn:ietf:params:acme:error:" + type, ["detail"] = detail, ["status"] = status }.ToJsonString());
    }

    private string Next() => Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string B64(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Pad(string b64url)
    {
        var s = b64url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }

    private sealed class Order(string id, string account)
    {
        public string Id { get; } = id;
        public string Account { get; } = account;
        public List<string> Authzs { get; } = [];
        public string Status { get; set; } = "pending";
    }

    private sealed class Authz(string id, string domain, string token)
    {
        public string Id { get; } = id;
        public string Domain { get; } = domain;
        public string Token { get; } = token;
        public string Status { get; set; } = "pending";
        public string? Error { get; set; }
    }
}
