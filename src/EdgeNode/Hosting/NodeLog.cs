using EdgeNode.Core.Logging;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Hosting;

internal static partial class NodeLog
{
    [LoggerMessage(EventIds.Starting, LogLevel.Information, "EdgeNode {Version} starting for {Domain}, configuration {ConfigurationFile}, data in {DataDir}")]
    public static partial void Starting(ILogger logger, string version, string domain, string configurationFile, string dataDir);

    [LoggerMessage(EventIds.DatabaseCreated, LogLevel.Information, "First start: created the database {Path}")]
    public static partial void DatabaseCreated(ILogger logger, string path);

    [LoggerMessage(EventIds.DatabaseCheckedAfterUncleanStop, LogLevel.Warning, "The last run did not close the database cleanly (crash, kill or power cut); its quick check found no damage. For the full check: edgenode check-db")]
    public static partial void DatabaseCheckedAfterUncleanStop(ILogger logger);

    [LoggerMessage(EventIds.CertificateCreated, LogLevel.Information, "First start: created a self-signed TLS certificate for {Domain} and *.{Domain} at {CertificatePath} (key {KeyPath}); set Tls:CertificatePath and Tls:KeyPath to use your own")]
    public static partial void CertificateCreated(ILogger logger, string domain, string certificatePath, string keyPath);

    [LoggerMessage(EventIds.CertificateInUse, LogLevel.Information, "TLS certificate {CertificatePath}: {Subject}, valid until {NotAfter:yyyy-MM-dd}")]
    public static partial void CertificateInUse(ILogger logger, string certificatePath, string subject, DateTime notAfter);

    [LoggerMessage(EventIds.CertificateFingerprints, LogLevel.Information, "TLS certificate fingerprints (compare them with what a client shows when it asks you to trust it): SHA-256 {Sha256}; SHA-1 {Sha1}")]
    public static partial void CertificateFingerprints(ILogger logger, string sha256, string sha1);

    [LoggerMessage(EventIds.CertificateExpired, LogLevel.Warning, "TLS certificate {CertificatePath} expired on {NotAfter:yyyy-MM-dd}; clients and servers will refuse it")]
    public static partial void CertificateExpired(ILogger logger, string certificatePath, DateTime notAfter);

    [LoggerMessage(EventIds.SigningKeyCreated, LogLevel.Information, "First start: created the Matrix signing key {KeyId} (kept in the database)")]
    public static partial void SigningKeyCreated(ILogger logger, string keyId);

    [LoggerMessage(EventIds.AddUserHint, LogLevel.Information, "No accounts yet. Add one with: edgenode user add alice@{Domain} (the password is read from standard input)")]
    public static partial void AddUserHint(ILogger logger, string domain);

    [LoggerMessage(EventIds.AccountsOnOtherDomain, LogLevel.Warning, "{Count} account(s) in the database are on {OldDomain}, not on Node:Domain {Domain}: nobody can log in to them. To move them with their rosters, offline messages and devices, stop the node and run: edgenode domain rename {OldDomain} {Domain}")]
    public static partial void AccountsOnOtherDomain(ILogger logger, int count, string oldDomain, string domain);

    [LoggerMessage(EventIds.Listening, LogLevel.Information, "Listening on {Addresses}: {Listeners}")]
    public static partial void Listening(ILogger logger, string addresses, string listeners);

    [LoggerMessage(EventIds.Ready, LogLevel.Information, "EdgeNode ready for {Domain} (federation {Federation})")]
    public static partial void Ready(ILogger logger, string domain, string federation);

    [LoggerMessage(EventIds.Stopping, LogLevel.Information, "EdgeNode stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventIds.Stopped, LogLevel.Information, "EdgeNode stopped")]
    public static partial void Stopped(ILogger logger);


    [LoggerMessage(EventIds.TlsHandshakeFailed, LogLevel.Debug, "TLS handshake with {Remote} failed: {Reason}")]
    public static partial void TlsHandshakeFailed(ILogger logger, string remote, string reason);

    [LoggerMessage(EventIds.ConnectionsOverLimit, LogLevel.Warning, "Refused {Count} connection(s) over the limits, the last on {Listener} from {Remote} ({Reason}); see the Node:MaxConnections... settings")]
    public static partial void ConnectionsOverLimit(ILogger logger, int count, string listener, string remote, string reason);

    [LoggerMessage(EventIds.PlaintextAllowed, LogLevel.Warning, "{Key} {Port} accepts plaintext from {Networks} besides loopback: passwords and tokens cross that network in clear (TLS: Mqtt:TlsPort, Http:FederationPort or a TLS proxy)")]
    public static partial void PlaintextAllowed(ILogger logger, string key, int port, string networks);

    [LoggerMessage(EventIds.PlaintextPeerRefused, LogLevel.Warning, "Refused {Count} plaintext connection(s) on {Listener} from outside its AllowPlaintext networks, the last from {Remote}; use TLS or list the network")]
    public static partial void PlaintextPeerRefused(ILogger logger, int count, string listener, string remote);

    [LoggerMessage(EventIds.RemovedAccountsEnded, LogLevel.Information, "Ended the sessions and memberships of {Count} removed account(s)")]
    public static partial void RemovedAccountsEnded(ILogger logger, int count);

    [LoggerMessage(EventIds.AccountSweepFailed, LogLevel.Error, "Could not end the sessions of removed accounts; trying again shortly")]
    public static partial void AccountSweepFailed(ILogger logger, Exception exception);
}
