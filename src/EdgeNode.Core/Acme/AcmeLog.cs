using EdgeNode.Core.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Core.Acme;

internal static partial class AcmeLog
{
    [LoggerMessage(EventIds.AcmeObtaining, LogLevel.Information, "ACME: asking {Directory} for a certificate for {Domains} ({Reason})")]
    public static partial void Obtaining(ILogger logger, string directory, string domains, string reason);

    [LoggerMessage(EventIds.AcmeObtained, LogLevel.Information, "ACME: new certificate for {Domains} from {Issuer}, valid until {NotAfter:yyyy-MM-dd}, saved in {Path}; every TLS listener presents it from now on")]
    public static partial void Obtained(ILogger logger, string domains, string issuer, DateTime notAfter, string path);

    [LoggerMessage(EventIds.AcmeCertificateFingerprints, LogLevel.Information, "TLS certificate fingerprints (compare them with what a client shows when it asks you to trust it): SHA-256 {Sha256}; SHA-1 {Sha1}")]
    public static partial void Fingerprints(ILogger logger, string sha256, string sha1);

    [LoggerMessage(EventIds.AcmeFailed, LogLevel.Error, "ACME: could not get a certificate for {Domains}: {Reason}; the current certificate stays in use; trying again in {Retry}")]
    public static partial void Failed(ILogger logger, string domains, string reason, TimeSpan retry);

    [LoggerMessage(EventIds.AcmeNotDue, LogLevel.Debug, "ACME: the certificate for {Domains} is valid until {NotAfter:yyyy-MM-dd}; renewal from {RenewFrom:yyyy-MM-dd}")]
    public static partial void NotDue(ILogger logger, string domains, DateTime notAfter, DateTime renewFrom);
}
