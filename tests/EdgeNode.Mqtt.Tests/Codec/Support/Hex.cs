namespace EdgeNode.Mqtt.Tests.Codec.Support;

/// <summary>Golden packets are written as spaced hex so that each field can be commented where it stands.</summary>
internal static class Hex
{
    public static byte[] Parse(string hex) =>
        Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal));

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
