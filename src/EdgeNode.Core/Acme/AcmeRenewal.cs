using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Crypto;
using EdgeNode.Core.Tls;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Core.Acme;

/// <summary>
/// Keeps the node's ACME certificate current: decides whether one is due (none yet, other names, or expiry within
/// Tls:Acme:RenewBeforeDays), obtains it, saves it with its key in one file in the data directory and hands it to
/// the <see cref="ServerCertificate"/> every listener asks. A failure leaves the certificate in use as it was.
/// </summary>
public sealed class AcmeRenewal
{
    private readonly AcmeOptions _options;
    private readonly string _dataDir;
    private readonly ServerCertificate _presented;
    private readonly Http01Challenges _challenges;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _path;

    public AcmeRenewal(NodeOptions options, ServerCertificate presented, Http01Challenges challenges, HttpClient http, TimeProvider time, ILogger logger)
    {
        _options = options.Tls.Acme;
        _dataDir = options.Node.DataDir;
        _presented = presented;
        _challenges = challenges;
        _http = http;
        _time = time;
        _logger = logger;
        _path = CertificatePath(options);
    }

    /// <summary>How often the certificate's expiry is looked at.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromDays(1);

    /// <summary>The wait after a first failure; it doubles with each failure in a row up to <see cref="LongestRetry"/>.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan LongestRetry = TimeSpan.FromHours(6);

    /// <summary>
    /// Checks at once and then every <see cref="CheckInterval"/>, renewing when due; after a failure tries again
    /// sooner, backing off. Ends when <paramref name="stop"/> is cancelled.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var retry = FirstRetry;
        while (!stop.IsCancellationRequested)
        {
            TimeSpan next;
            try
            {
                await RenewIfDueAsync(stop).ConfigureAwait(false);
                next = CheckInterval;
                retry = FirstRetry;
            }
            catch (Exception e) when (!stop.IsCancellationRequested &&
                e is AcmeException or IOException or UnauthorizedAccessException or CryptographicException or HttpRequestException or OperationCanceledException)
            {
                // OperationCanceledException here is HttpClient's timeout, not the node stopping.
                next = retry;
                retry = retry * 2 < LongestRetry ? retry * 2 : LongestRetry;
                AcmeLog.Failed(_logger, Names, e.Message, next);
                Failures++;
            }
            try
            {
                await Task.Delay(next, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Failed attempts since start (for tests and diagnostics).</summary>
    public int Failures { get; private set; }

    private string Names => string.Join(", ", _options.Domains);

    /// <summary>Where the ACME certificate (chain and key in one PEM file, so a crash never splits them) is kept.</summary>
    public static string CertificatePath(NodeOptions options) => NodeCertificate.AcmePath(options);

    /// <summary>The ACME account key (P-256, PKCS#8 PEM).</summary>
    public static string AccountKeyPath(string dataDir) => Path.Combine(dataDir, "tls", "acme", "account.key");

    /// <summary>Why a certificate is due now, or null when the stored one is good until its renewal time.</summary>
    public string? DueReason(X509Certificate2? stored)
    {
        if (stored is null) return "no ACME certificate yet";
        var names = NodeCertificate.DnsNames(stored).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!_options.Domains.All(names.Contains)) return "the configured names changed";
        var renewFrom = stored.NotAfter.ToUniversalTime() - _options.RenewBefore;
        if (_time.GetUtcNow().UtcDateTime >= renewFrom) return $"it expires on {stored.NotAfter.ToUniversalTime():yyyy-MM-dd}";
        AcmeLog.NotDue(_logger, Names, stored.NotAfter.ToUniversalTime(), renewFrom);
        return null;
    }

    /// <summary>Obtains and installs a certificate when one is due; true when it did.</summary>
    public async Task<bool> RenewIfDueAsync(CancellationToken cancellationToken)
    {
        string path = _path;
        string? reason;
        using (var stored = LoadStored(path)) reason = DueReason(stored);
        if (reason is null) return false;

        AcmeLog.Obtaining(_logger, _options.Directory, Names, reason);
        using var key = AcmeAccountKey.LoadOrCreate(AccountKeyPath(_dataDir));
        var client = new AcmeClient(_http, new Uri(_options.Directory), key, _time);
        var issued = await client.ObtainAsync(_options.Domains, _options.Email, _challenges, cancellationToken).ConfigureAwait(false);
        try
        {
            SecretFile.Write(path, issued.ChainPem.TrimEnd() + "\n" + issued.KeyPem);
            _presented.Replace(issued.Certificate, issued.Chain);
        }
        catch
        {
            issued.Certificate.Dispose();
            foreach (var link in issued.Chain) link.Dispose();
            throw;
        }
        AcmeLog.Obtained(_logger, Names, issued.Certificate.Issuer, issued.Certificate.NotAfter.ToUniversalTime(), path);
        var fingerprints = CertificateFingerprints.Of(issued.Certificate);
        AcmeLog.Fingerprints(_logger, fingerprints.Sha256, fingerprints.Sha1);
        return true;
    }

    private static X509Certificate2? LoadStored(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return X509Certificate2.CreateFromPemFile(path);
        }
        catch (CryptographicException)
        {
            // A damaged file is replaced by the next certificate.
            return null;
        }
    }
}
