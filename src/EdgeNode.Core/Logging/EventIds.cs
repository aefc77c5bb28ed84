namespace EdgeNode.Core.Logging;

/// <summary>
/// Log event ids of the hosting layer. Each protocol library keeps its own ids in its own *EventIds class, inside
/// its range: core and hosting 1-999, XMPP 1000-1999, MQTT 2000-2999, Matrix 3000-3999, devices and GPIO
/// 4000-4999, federation 5000-5999.
/// </summary>
public static class EventIds
{
    // Hosting 1-99
    public const int Starting = 1;
    public const int DatabaseCreated = 2;
    public const int CertificateCreated = 3;
    public const int CertificateInUse = 4;
    public const int CertificateExpired = 5;
    public const int SigningKeyCreated = 6;
    public const int AddUserHint = 7;
    public const int Listening = 8;
    public const int Ready = 9;
    public const int Stopping = 10;
    public const int RemovedAccountsEnded = 11;
    public const int AccountSweepFailed = 12;
    public const int CertificateFingerprints = 13;
    public const int Stopped = 14;
    public const int AccountsOnOtherDomain = 16;
    public const int DatabaseCheckedAfterUncleanStop = 15;

    // Listeners 100-199
    public const int ConnectionRefusedUnavailable = 100;
    public const int ConnectionsOverLimit = 101;
    public const int TlsHandshakeFailed = 102;
    public const int PlaintextAllowed = 103;
    public const int PlaintextPeerRefused = 104;

    // Storage 200-299
    public const int DiskFull = 200;
    public const int WritesResumed = 201;

    // ACME certificates 300-319
    public const int AcmeObtaining = 300;
    public const int AcmeObtained = 301;
    public const int AcmeFailed = 302;
    public const int AcmeNotDue = 303;
    public const int AcmeCertificateFingerprints = 304;
}
