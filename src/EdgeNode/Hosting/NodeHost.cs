using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EdgeNode.Cli;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Storage;
using EdgeNode.Core.Tls;
using EdgeNode.Modules;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Hosting;

/// <summary>`edgenode run`: opens the store, makes first-start material, binds every listener on Kestrel and serves until stopped.</summary>
public static class NodeHost
{
    public static async Task<int> RunAsync(NodeOptions options, IConfiguration configuration, string? configurationFile, IReadOnlyDictionary<string, string> environment, CliIo io, CancellationToken stop)
    {
        using var bootstrapLogs = LoggerFactory.Create(l => NodeLogging.Configure(l, configuration));
        var log = bootstrapLogs.CreateLogger("EdgeNode");
        NodeLog.Starting(log, EdgeNodeCli.Version, options.Node.Domain, configurationFile ?? NodeConfiguration.NoFile, Path.GetFullPath(options.Node.DataDir));

        Store store;
        X509Certificate2 certificate;
        SigningKey signingKey;
        try
        {
            store = Store.Open(options.Node.DataDir, NodeModules.Migrations);
        }
        catch (StoreException e)
        {
            return Fail(io, e.Message, ExitCodes.Failure);
        }
        using var _store = store;
        try
        {
            if (store.Created) NodeLog.DatabaseCreated(log, store.Path);
            if (store.QuickChecked) NodeLog.DatabaseCheckedAfterUncleanStop(log);
            certificate = NodeCertificate.LoadOrCreate(options, out var source);
            if (source.CreatedNow) NodeLog.CertificateCreated(log, options.Node.Domain, Path.GetFullPath(source.CertificatePath), Path.GetFullPath(source.KeyPath));
            NodeLog.CertificateInUse(log, Path.GetFullPath(source.CertificatePath), certificate.Subject, certificate.NotAfter.ToUniversalTime());
            var fingerprints = CertificateFingerprints.Of(certificate);
            NodeLog.CertificateFingerprints(log, fingerprints.Sha256, fingerprints.Sha1);
            if (certificate.NotAfter < DateTime.Now) NodeLog.CertificateExpired(log, Path.GetFullPath(source.CertificatePath), certificate.NotAfter.ToUniversalTime());
            signingKey = SigningKeys.LoadOrCreate(store, out var keyCreated);
            if (keyCreated) NodeLog.SigningKeyCreated(log, signingKey.KeyId);
            if (new AccountStore(store).List().Count == 0) NodeLog.AddUserHint(log, options.Node.Domain);
            foreach (var (oldDomain, count) in DomainRename.OtherDomains(store, options.Node.Domain))
                NodeLog.AccountsOnOtherDomain(log, count, oldDomain, options.Node.Domain);
        }
        catch (Exception e) when (e is ConfigurationErrorException or IOException or UnauthorizedAccessException)
        {
            return Fail(io, e.Message, e is ConfigurationErrorException ? ExitCodes.Usage : ExitCodes.Failure);
        }
        // The start-up logger (a console writer with its own thread) has done its work; the host logs from here on.
        bootstrapLogs.Dispose();
        using var _certificate = certificate;
        using var _signingKey = signingKey;

        if (PortProbe.FirstTaken(options) is { } taken) return Fail(io, taken, ExitCodes.Failure);
        using var notifier = SystemdNotifier.FromEnvironment(environment);
        var app = Build(options, configuration, environment, certificate, signingKey, store, notifier);
        await using var _app = app;
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var hostLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode");
        store.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Storage");
        try
        {
            await app.StartAsync(stop).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            return Fail(io, DescribeBindFailure(options, e), ExitCodes.Failure);
        }
        catch (EdgeNode.Gpio.GpioException e)
        {
            return Fail(io, $"Devices:Gpio:Chip: {e.Message}", ExitCodes.Failure);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }

        var addresses = options.Node.ListenAddresses.Count == 0 ? "all interfaces (IPv4 and IPv6)" : string.Join(", ", options.Node.ListenAddresses);
        NodeLog.Listening(hostLog, addresses, string.Join(", ", ListenerPlan.For(options).Select(l =>
            ListenerBinding.For(options, l).LoopbackOnly ? $"{l.Key} {l.Port} (loopback only: plaintext)" : $"{l.Key} {l.Port}")));
        foreach (var listener in ListenerPlan.For(options))
        {
            if (ListenerBinding.PlaintextNetworks(options, listener) is { Count: > 0 } networks)
                NodeLog.PlaintextAllowed(hostLog, listener.Key, listener.Port, string.Join(", ", networks));
        }
        NodeLog.Ready(hostLog, options.Node.Domain, options.Federation.Mode.ToString().ToLowerInvariant());
        lifetime.ApplicationStopping.Register(() =>
        {
            NodeLog.Stopping(hostLog);
            notifier?.Stopping();
        });
        notifier?.Ready();
        await app.WaitForShutdownAsync(stop).ConfigureAwait(false);
        NodeLog.Stopped(hostLog);
        return ExitCodes.Ok;
    }

    private static WebApplication Build(NodeOptions options, IConfiguration configuration, IReadOnlyDictionary<string, string> environment,
        X509Certificate2 certificate, SigningKey signingKey, Store store, SystemdNotifier? notifier)
    {
        // No appsettings*.json file watcher (and its thread): the node's configuration comes from its own sources.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        NodeLogging.Configure(builder.Logging, configuration);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(store);
        // One guard against password guessing for every protocol, since they share the accounts; `edgenode user
        // unlock` reaches it through the store.
        builder.Services.AddSingleton(new LoginThrottle(options.Login, TimeProvider.System, new LoginUnlocks(store, TimeProvider.System)));
        // One way to remove an account, whichever protocol asks; every module adds an IAccountHolder for its data.
        builder.Services.AddSingleton(s => new AccountRemoval(s.GetRequiredService<Store>(), s.GetServices<IAccountHolder>()));
        builder.Services.AddHostedService(_ => new MemorySettleService(TimeSpan.FromSeconds(1)));
        builder.Services.AddHostedService(s => new AccountSweepService(s.GetRequiredService<AccountRemoval>(),
            s.GetRequiredService<ILogger<AccountSweepService>>(), TimeSpan.FromSeconds(5)));
        builder.Services.AddSingleton(certificate);
        // Given as an instance, so the container never disposes it: RunAsync owns it.
        builder.Services.AddSingleton(signingKey);
        // Every listener asks this holder for the certificate at each handshake, so a renewed one needs no restart.
        builder.Services.AddSingleton(_ => new ServerCertificate(certificate, NodeCertificate.LoadChain(options), TimeProvider.System));
        builder.Services.AddSingleton(s => new RawTlsContexts(s.GetRequiredService<ServerCertificate>()));
        XmppModule.AddServices(builder.Services, options);
        MqttModule.AddServices(builder.Services, options);
        MatrixModule.AddServices(builder.Services, options);
        DevicesModule.AddServices(builder.Services, options);
        AcmeModule.AddServices(builder.Services, options);
        if (notifier is not null && SystemdNotifier.WatchdogInterval(environment, Environment.ProcessId) is { } interval)
            builder.Services.AddHostedService(s => new WatchdogService(notifier, interval, TimeProvider.System));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // A silent or slow client holds a connection for seconds, not minutes: before its first request and between
            // requests (KeepAliveTimeout), while its headers arrive, and (Kestrel's default minimum rate, 240 bytes/s
            // after 5 s) while its body does; a too slow body is answered 408.
            kestrel.Limits.KeepAliveTimeout = options.Http.KeepAliveTimeout;
            kestrel.Limits.RequestHeadersTimeout = options.Http.RequestHeadersTimeout;
            var presented = kestrel.ApplicationServices.GetRequiredService<ServerCertificate>();
            var https = new HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => presented.Certificate };
            https.OnAuthenticate = (_, ssl) => TlsPolicy.Apply(ssl);
            // Raw TCP protocols over TLS run on the node's own OpenSSL streams (no TLS buffers while idle) and negotiate
            // their own ALPN name (XEP-0368 "xmpp-client", MQTT "mqtt"); a client that offers no ALPN, or other names
            // only, is served without one.
            var contexts = kestrel.ApplicationServices.GetRequiredService<RawTlsContexts>();
            var tlsLog = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Tls");
            var xmppClientTls = new RawTlsMiddleware(() => contexts.XmppClient, RawTlsContexts.HandshakeTimeout, tlsLog);
            var mqttTls = new RawTlsMiddleware(() => contexts.Mqtt, RawTlsContexts.HandshakeTimeout, tlsLog);
            // XEP-0368 for servers: the peer's client certificate is asked for and judged by the s2s code, not by Kestrel.
            TlsHandshakeCallbackOptions? s2sDirectTls = null;
            var connectionLog = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeNode.Connections");
            var gate = new ConnectionGate(options.Node, connectionLog, TimeProvider.System);
            foreach (var listener in ListenerPlan.For(options))
            {
                // One pool per listener, shared by its addresses; XMPP clients and MQTT report their logins to it.
                var pool = gate.For(listener.Key, countsLogins: listener.Protocol is ListenerProtocol.XmppClient or ListenerProtocol.Mqtt);
                var plaintext = ListenerBinding.PlaintextNetworks(options, listener) is { Count: > 0 } networks
                    ? new PlaintextGate(listener.Key, networks, connectionLog, TimeProvider.System)
                    : null;
                foreach (var configure in Bind(kestrel, ListenerBinding.For(options, listener), listener.Port))
                {
                    configure(endpoint =>
                    {
                        // The network and the limits first, so a refused connection costs no TLS handshake.
                        if (plaintext is not null) endpoint.Use(plaintext.Wrap);
                        endpoint.Use(pool.Wrap);
                        if (listener.Tls && listener.Protocol == ListenerProtocol.XmppServer) endpoint.UseHttps(s2sDirectTls ??= XmppModule.DirectTlsHandshake(presented));
                        else if (listener.Tls && listener.Protocol == ListenerProtocol.XmppClient) endpoint.Use(xmppClientTls.Wrap);
                        else if (listener.Tls && listener.Protocol == ListenerProtocol.Mqtt) endpoint.Use(mqttTls.Wrap);
                        else if (listener.Tls) endpoint.UseHttps(https);
                        if (listener.Protocol == ListenerProtocol.Http)
                        {
                            endpoint.Protocols = listener.Tls ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                            return;
                        }
                        var handler = CreateHandler(listener, options, endpoint.ApplicationServices);
                        endpoint.Use(_ => handler.OnConnectedAsync);
                    });
                }
            }
        });

        var app = builder.Build();
        AcmeModule.MapEndpoints(app, options);
        MatrixModule.MapEndpoints(app);
        return app;
    }

    /// <summary>One Listen call per address of the listener's binding (or one on every interface, or on localhost).</summary>
    private static IEnumerable<Action<Action<ListenOptions>>> Bind(KestrelServerOptions kestrel, ListenerBinding binding, int port)
    {
        if (binding.AnyInterface)
        {
            yield return configure => kestrel.ListenAnyIP(port, configure);
            yield break;
        }
        if (binding.LoopbackOnly && binding.Addresses is [var v4, var v6] && v4.Equals(IPAddress.Loopback) && v6.Equals(IPAddress.IPv6Loopback))
        {
            // 127.0.0.1 and ::1, or only the first when the machine has no IPv6.
            yield return configure => kestrel.ListenLocalhost(port, configure);
            yield break;
        }
        foreach (var address in binding.Addresses)
        {
            var a = address;
            yield return configure => kestrel.Listen(a, port, configure);
        }
    }

    private static ConnectionHandler CreateHandler(ListenerPlan listener, NodeOptions options, IServiceProvider services) =>
        listener.Protocol switch
        {
            ListenerProtocol.XmppClient or ListenerProtocol.XmppServer => XmppModule.CreateHandler(listener, options, services),
            ListenerProtocol.Mqtt => MqttModule.CreateHandler(listener, options, services),
            _ => throw new ArgumentOutOfRangeException(nameof(listener), listener.Protocol, "not a raw TCP protocol"),
        };

    /// <summary>Start-up failures are one line on standard error, which the service manager's journal keeps too.</summary>
    private static int Fail(CliIo io, string reason, int exitCode)
    {
        io.Error.WriteLine($"edgenode: could not start: {reason}");
        return exitCode;
    }

    private static string DescribeBindFailure(NodeOptions options, IOException e)
    {
        foreach (var (key, port) in options.EnabledPorts())
        {
            if (e.Message.Contains(":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))
                return $"{key}: cannot listen on port {port}: {e.InnerException?.Message ?? e.Message} (is another server using it?)";
        }
        return e.Message;
    }
}
