using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Acme;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Tls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace EdgeNode.Core.Tests.Acme;

public sealed class AcmeRenewalTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly TimerCountingClock _clock;
    private readonly ChallengeListener _listener = new();
    private readonly ListLogger _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private TestAcmeServer _server = null!;
    private X509Certificate2 _selfSigned = null!;
    private ServerCertificate _presented = null!;
    private NodeOptions _options = null!;

    public AcmeRenewalTests() => _clock = new TimerCountingClock(_time);

    public async Task InitializeAsync()
    {
        await _listener.StartAsync();
        _server = new TestAcmeServer(_time) { ChallengePort = _listener.Port };
        await _server.StartAsync();
        _options = OptionsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Node:Domain"] = "pi.example",
            ["Node:DataDir"] = _dir.Path,
            ["Tls:Acme:Enabled"] = "true",
            ["Tls:Acme:AcceptTermsOfService"] = "true",
            ["Tls:Acme:Directory"] = _server.DirectoryUrl.ToString(),
            ["Tls:Acme:Domains"] = "conference.pi.example",
            ["Tls:Acme:Email"] = "admin@pi.example",
        }).Build());
        _selfSigned = NodeCertificate.CreateSelfSigned("pi.example", _time.GetUtcNow());
        _presented = new ServerCertificate(_selfSigned);
    }

    public async Task DisposeAsync()
    {
        _presented.Dispose();
        _selfSigned.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
        await _listener.DisposeAsync();
        _dir.Dispose();
    }

    private AcmeRenewal Renewal() => new(_options, _presented, _listener.Challenges, _http, _clock, _log);

    [Fact]
    public async Task RenewIfDue_NoCertificate_ObtainsOneForEveryNameAndPresentsIt()
    {
        Assert.True(await Renewal().RenewIfDueAsync(CancellationToken.None));

        var presented = _presented.Certificate;
        Assert.Equal(_server.Ca.Subject, presented.Issuer);
        Assert.Equal(["pi.example", "conference.pi.example"], NodeCertificate.DnsNames(presented).ToArray());
        Assert.True(presented.HasPrivateKey);
        Assert.Equal(_server.Ca.Thumbprint, Assert.Single(_presented.Chain).Thumbprint);
        Assert.Equal(2, _server.Validations); // one authorization for each name
        // Kept in the data directory, and what the node loads on its next start.
        using var stored = NodeCertificate.LoadExisting(_options, out var path);
        Assert.Equal(NodeCertificate.AcmePath(_options), path);
        Assert.Equal(presented.Thumbprint, stored!.Thumbprint);
        Assert.Single(NodeCertificate.LoadChain(_options));
        Assert.Contains(_log.Lines, l => l.Contains("SHA-256 " + CertificateFingerprints.Of(presented).Sha256, StringComparison.Ordinal));
        // The same account key is kept, and a second check finds nothing due.
        Assert.True(File.Exists(AcmeRenewal.AccountKeyPath(_dir.Path)));
        Assert.False(await Renewal().RenewIfDueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_ClockNearExpiry_RenewsWithoutBeingAsked()
    {
        using var stop = new CancellationTokenSource();
        var run = Renewal().RunAsync(stop.Token);
        // Each wait below ends once the loop has set its next timer, so the clock is never moved before it.
        await WaitFor(() => _presented.Certificate.Issuer == _server.Ca.Subject && _clock.Timers == 1);
        var first = _presented.Certificate;

        // 59 days later: 31 days left, not due yet.
        _time.Advance(TimeSpan.FromDays(59));
        await WaitFor(() => _clock.Timers == 2);
        Assert.Same(first, _presented.Certificate);
        Assert.Contains(_log.Lines, l => l.Contains("renewal from", StringComparison.Ordinal));

        // The next daily check: 30 days left, renewed.
        _time.Advance(TimeSpan.FromDays(1));
        await WaitFor(() => !ReferenceEquals(first, _presented.Certificate));
        Assert.Equal(first.NotAfter.AddDays(60), _presented.Certificate.NotAfter);
        Assert.Equal(4, _server.Validations);
        stop.Cancel();
        await run;
    }

    [Fact]
    public async Task RunAsync_ChallengeFails_LogsAndRetriesAfterBackoff()
    {
        _server.ChallengePort = 1; // nothing listens there: the server cannot fetch the challenge
        var renewal = Renewal();
        using var stop = new CancellationTokenSource();
        var run = renewal.RunAsync(stop.Token);
        await WaitFor(() => renewal.Failures == 1 && _clock.Timers == 1);
        Assert.Contains(_log.Lines, l => l.Contains("could not get a certificate", StringComparison.Ordinal) && l.Contains("cannot fetch the challenge", StringComparison.Ordinal));
        Assert.Same(_selfSigned, _presented.Certificate);

        _server.ChallengePort = _listener.Port;
        _time.Advance(AcmeRenewal.FirstRetry - TimeSpan.FromSeconds(1));
        Assert.Equal(1, _clock.Timers); // not retried before the backoff is over
        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitFor(() => _presented.Certificate.Issuer == _server.Ca.Subject);
        Assert.Equal(1, renewal.Failures);
        stop.Cancel();
        await run;
    }

    [Theory]
    [InlineData(AcmeFault.MalformedOrderJson, "newOrder: the answer is not valid JSON")]
    [InlineData(AcmeFault.WrongCertificateContentType, "certificate: the server answered with content type 'text/html'")]
    [InlineData(AcmeFault.OversizedCertificate, "certificate: the answer is larger than 131072 bytes")]
    public async Task RenewIfDue_BadAnswer_ClearErrorAndOldCertificateKept(AcmeFault fault, string message)
    {
        _server.Fault = fault;
        var error = await Assert.ThrowsAsync<AcmeException>(() => Renewal().RenewIfDueAsync(CancellationToken.None));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Same(_selfSigned, _presented.Certificate);
        Assert.False(File.Exists(NodeCertificate.AcmePath(_options)));
    }

    [Fact]
    public async Task RenewIfDue_BadNonce_SentAgainWithTheFreshNonce()
    {
        _server.Fault = AcmeFault.BadNonceOnce;
        Assert.True(await Renewal().RenewIfDueAsync(CancellationToken.None));
        Assert.Equal(2, _server.NewOrders); // refused once for its nonce, then sent again
        Assert.Equal(_server.Ca.Subject, _presented.Certificate.Issuer);
    }

    [Fact]
    public async Task RenewIfDue_OrderProcessing_PollsAfterRetryAfterOnTheClock()
    {
        _server.Fault = AcmeFault.ProcessingWithRetryAfter;
        var renewing = Renewal().RenewIfDueAsync(CancellationToken.None);
        await WaitFor(() => _server.FinalizedAt is not null);
        // The client waits out Retry-After (7 s) on the clock: once its timer is set, move the clock just short of it,
        // see that nothing was polled, then past it.
        await WaitFor(() => _clock.Timers == 1);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Empty(_server.OrderPolls);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await renewing);
        var poll = Assert.Single(_server.OrderPolls);
        Assert.True(poll - _server.FinalizedAt >= TimeSpan.FromSeconds(7), $"polled {poll - _server.FinalizedAt} after finalize");
    }

    /// <summary>Waits (in real time, at most 20 s) for work the fake clock set off to finish.</summary>
    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true in 20 s");
            await Task.Delay(10);
        }
    }

    /// <summary>The fake clock, counting the timers set on it (a Task.Delay is one).</summary>
    private sealed class TimerCountingClock(FakeTimeProvider fake) : TimeProvider
    {
        private int _timers;
        public int Timers => Volatile.Read(ref _timers);
        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();
        public override long GetTimestamp() => fake.GetTimestamp();
        public override long TimestampFrequency => fake.TimestampFrequency;
        public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = fake.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }

    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _lines = [];
        public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add(formatter(state, exception));
        }
    }
}
