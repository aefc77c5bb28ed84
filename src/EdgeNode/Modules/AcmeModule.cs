using EdgeNode.Core.Acme;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Modules;

/// <summary>
/// What Tls:Acme adds to the node: the renewal service and the HTTP-01 answers on the plain HTTP listeners
/// (Http:Port and the Tls:Acme:HttpPort listener, which serves nothing else).
/// </summary>
internal static class AcmeModule
{
    /// <summary>An ACME server that answers nothing in this long is given up on (and tried again later).</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static void AddServices(IServiceCollection services, NodeOptions options)
    {
        if (!options.Tls.Acme.Enabled) return;
        services.AddSingleton<Http01Challenges>();
        services.AddSingleton(sp => new AcmeRenewal(options, sp.GetRequiredService<ServerCertificate>(), sp.GetRequiredService<Http01Challenges>(),
            new HttpClient { Timeout = RequestTimeout }, TimeProvider.System, sp.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Acme")));
        services.AddHostedService(sp => new AcmeService(sp.GetRequiredService<AcmeRenewal>(), sp.GetRequiredService<IHostApplicationLifetime>()));
    }

    public static void MapEndpoints(WebApplication app, NodeOptions options)
    {
        if (!options.Tls.Acme.Enabled) return;
        var challenges = app.Services.GetRequiredService<Http01Challenges>();
        int challengePort = options.Tls.Acme.HttpPort;
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path.StartsWith(Http01Challenges.PathPrefix, StringComparison.Ordinal) && !context.Request.IsHttps)
            {
                await AnswerAsync(context, challenges.Answer(path[Http01Challenges.PathPrefix.Length..])).ConfigureAwait(false);
                return;
            }
            if (challengePort != 0 && context.Connection.LocalPort == challengePort)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            await next(context).ConfigureAwait(false);
        });
    }

    private static Task AnswerAsync(HttpContext context, string? keyAuthorization)
    {
        if (keyAuthorization is null || !HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        context.Response.ContentType = "application/octet-stream";
        return context.Response.WriteAsync(keyAuthorization);
    }

    /// <summary>Runs the renewal loop for as long as the node runs, from when every listener is bound (the challenge needs one).</summary>
    private sealed class AcmeService(AcmeRenewal renewal, IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
            {
                try
                {
                    await started.Task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            await renewal.RunAsync(stoppingToken).ConfigureAwait(false);
        }
    }
}
