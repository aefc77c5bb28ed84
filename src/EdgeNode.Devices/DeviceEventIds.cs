namespace EdgeNode.Devices;

/// <summary>Log event ids of the device conventions: 4000-4499 (GPIO keeps 4500-4999 of the shared range).</summary>
public static class DeviceEventIds
{
    public const int PayloadTooLarge = 4000;
    public const int PayloadIgnored = 4001;
    public const int AdapterFailed = 4002;
    public const int DeviceDiscovered = 4003;
    public const int TemplateNotEvaluated = 4004;
    public const int ProfileProblem = 4005;
    public const int DeviceRemoved = 4006;
    public const int ComponentUnsupported = 4007;
    public const int TopicRejected = 4008;
    public const int CommandFailed = 4009;
    public const int TopicOutsideAccess = 4010;
    public const int CommandOutsideAccess = 4011;
    public const int DeviceRefused = 4012;
}
