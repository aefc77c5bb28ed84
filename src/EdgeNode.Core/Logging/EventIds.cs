namespace EdgeNode.Core.Logging;

/// <summary>Every log event id of the node in one place, grouped by component in blocks of 100.</summary>
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

    // Listeners 100-199
    public const int ConnectionRefusedUnavailable = 100;
}
