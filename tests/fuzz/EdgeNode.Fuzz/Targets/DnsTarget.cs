using System.Buffers.Binary;
using EdgeNode.Core.Dns;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// DNS responses (the question is taken from the message itself so that the answers get read). Properties: every
/// name read is within the DNS limit; a plain name (no escapes) writes and reads back the same.
/// </summary>
internal static class DnsTarget
{
    public static FuzzTarget Target { get; } = new(Check, typeof(DnsFormatException));

    private static void Check(ReadOnlySpan<byte> input)
    {
        if (input.Length < 12) return;
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(input);
        int at = 12;
        string asked = DnsMessage.ReadName(input, ref at);
        ushort type = at + 2 <= input.Length ? BinaryPrimitives.ReadUInt16BigEndian(input[at..]) : DnsRecordType.Srv;
        DnsAnswer answer = DnsMessage.ReadResponse(input, id, asked, type);
        foreach (SrvRecord record in answer.Srv) CheckName(record.Target);
        foreach (string alias in answer.Aliases) CheckName(alias);
    }

    private static void CheckName(string name)
    {
        // Each escaped byte (\DDD) stands for one byte on the wire but four characters here.
        PropertyViolationException.ThrowIfNot(name.Length <= 4 * 255, $"a name of {name.Length} characters was read");
        if (name.Contains('\\') || name is "." or "") return;
        var buffer = new byte[512];
        int end;
        try
        {
            end = DnsMessage.WriteName(buffer, 0, name);
        }
        catch (ArgumentException)
        {
            return; // over 255 bytes with its length bytes: reading allowed it, writing refuses it
        }

        int at = 0;
        string again = DnsMessage.ReadName(buffer.AsSpan(0, end), ref at);
        PropertyViolationException.ThrowIfNot(again == name && at == end, $"the name '{name}' reads back as '{again}'");
    }
}
