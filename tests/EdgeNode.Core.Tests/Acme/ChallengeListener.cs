using System.Net;
using EdgeNode.Core.Acme;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Core.Tests.Acme;

/// <summary>A plain HTTP listener on loopback that answers the HTTP-01 challenges published in <see cref="Challenges"/>.</summary>
public sealed class ChallengeListener : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ChallengeListener()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet(Http01Challenges.PathPrefix + "{token}", (string token) =>
            Challenges.Answer(token) is { } answer ? Results.Text(answer, "application/octet-stream") : Results.NotFound());
    }

    public Http01Challenges Challenges { get; } = new();
    public int Port => new Uri(_app.Urls.First()).Port;

    public Task StartAsync() => _app.StartAsync();

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
