using System.Buffers.Binary;
using System.Text;

namespace EdgeNode.Core.Dns;

public enum DnsResponseCode { NoError = 0, FormatError = 1, ServerFailure = 2, NameError = 3, NotImplemented = 4, Refused = 5 }

public static class DnsRecordType
{
    public const ushort A = 1, Cname = 5, Aaaa = 28, Srv = 33;
}

/// <summary>One SRV record (RFC 2782). A target of "." means the service is decidedly not offered.</summary>
public sealed record SrvRecord(ushort Priority, ushort Weight, ushort Port, string Target, uint TimeToLive)
{
    public bool NoService => Target == ".";
}

/// <summary>The answers to one query, as far as EdgeNode needs them.</summary>
public sealed record DnsAnswer(DnsResponseCode Code, bool Truncated, IReadOnlyList<SrvRecord> Srv, IReadOnlyList<string> Aliases);

public sealed class DnsFormatException(string message) : Exception(message);

/// <summary>
/// Builds queries and reads responses in the DNS wire format (RFC 1035 section 4), with name compression. A
/// response comes from the network, so every length and pointer is checked before it is followed.
/// </summary>
public static class DnsMessage
{
    private const int HeaderLength = 12;
    private const int MaxNameLength = 255;
    private const int MaxPointerJumps = 32;

    public static byte[] BuildQuery(ushort id, string name, ushort type)
    {
        var buffer = new byte[HeaderLength + MaxNameLength + 2 + 4];
        BinaryPrimitives.WriteUInt16BigEndian(buffer, id);
        buffer[2] = 0x01; // RD: ask the resolver to recurse
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(4), 1); // one question
        var at = WriteName(buffer, HeaderLength, name);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at), type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(at + 2), 1); // class IN
        return buffer[..(at + 4)];
    }

    public static int WriteName(Span<byte> buffer, int at, string name)
    {
        var start = at;
        var trimmed = name.TrimEnd('.');
        if (trimmed.Length > 0)
        {
            foreach (var label in trimmed.Split('.'))
            {
                var bytes = Encoding.ASCII.GetBytes(label);
                if (bytes.Length is 0 or > 63) throw new ArgumentException($"'{name}' has an empty or over-long label", nameof(name));
                buffer[at++] = (byte)bytes.Length;
                bytes.CopyTo(buffer[at..]);
                at += bytes.Length;
            }
        }
        buffer[at++] = 0;
        if (at - start > MaxNameLength) throw new ArgumentException($"'{name}' is longer than a DNS name may be", nameof(name));
        return at;
    }

    /// <summary>Reads a response to the query <paramref name="id"/> for <paramref name="name"/>/<paramref name="type"/>.</summary>
    public static DnsAnswer ReadResponse(ReadOnlySpan<byte> message, ushort id, string name, ushort type)
    {
        if (message.Length < HeaderLength) throw new DnsFormatException("the response is shorter than a DNS header");
        if (BinaryPrimitives.ReadUInt16BigEndian(message) != id) throw new DnsFormatException("the response answers another query (id mismatch)");
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((flags & 0x8000) == 0) throw new DnsFormatException("the message is a query, not a response");
        var truncated = (flags & 0x0200) != 0;
        var code = (DnsResponseCode)(flags & 0x000F);
        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        if (questions != 1) throw new DnsFormatException($"the response carries {questions} questions instead of 1");

        var at = HeaderLength;
        var asked = ReadName(message, ref at);
        if (at + 4 > message.Length) throw new DnsFormatException("the question is cut short");
        var askedType = BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
        at += 4;
        if (!string.Equals(asked, name.TrimEnd('.'), StringComparison.OrdinalIgnoreCase) || askedType != type)
            throw new DnsFormatException($"the response is for {asked} type {askedType}, not for {name} type {type}");

        var srv = new List<SrvRecord>();
        var aliases = new List<string>();
        // A truncated UDP answer is read as far as it goes; the caller retries over TCP.
        for (var i = 0; i < answers && at < message.Length; i++)
        {
            string owner;
            try { owner = ReadName(message, ref at); }
            catch (DnsFormatException) when (truncated) { break; }
            if (at + 10 > message.Length)
            {
                if (truncated) break;
                throw new DnsFormatException("a resource record header is cut short");
            }
            var rrType = BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
            var rrClass = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 2)..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(at + 4)..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 8)..]);
            at += 10;
            if (at + length > message.Length)
            {
                if (truncated) break;
                throw new DnsFormatException("a resource record's data runs past the end of the message");
            }
            var dataEnd = at + length;
            if (rrClass == 1 && rrType == DnsRecordType.Srv)
            {
                if (length < 7) throw new DnsFormatException("an SRV record is too short");
                var priority = BinaryPrimitives.ReadUInt16BigEndian(message[at..]);
                var weight = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 2)..]);
                var port = BinaryPrimitives.ReadUInt16BigEndian(message[(at + 4)..]);
                var targetAt = at + 6;
                var target = ReadName(message, ref targetAt);
                if (targetAt > dataEnd) throw new DnsFormatException("an SRV target runs past its record");
                srv.Add(new SrvRecord(priority, weight, port, target.Length == 0 ? "." : target, ttl));
            }
            else if (rrClass == 1 && rrType == DnsRecordType.Cname)
            {
                var targetAt = at;
                aliases.Add(ReadName(message, ref targetAt));
                _ = owner;
            }
            at = dataEnd;
        }
        return new DnsAnswer(code, truncated, srv, aliases);
    }

    /// <summary>Reads a possibly compressed name; the root name is "".</summary>
    public static string ReadName(ReadOnlySpan<byte> message, ref int at)
    {
        var name = new StringBuilder();
        var position = at;
        var jumps = 0;
        var resumeAt = -1;
        while (true)
        {
            if (position >= message.Length) throw new DnsFormatException("a name runs past the end of the message");
            var length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length) throw new DnsFormatException("a compression pointer is cut short");
                var target = ((length & 0x3F) << 8) | message[position + 1];
                // Pointers must go backwards; with the jump limit this rules out loops.
                if (target >= position || ++jumps > MaxPointerJumps) throw new DnsFormatException("a compression pointer loops or points forward");
                if (resumeAt < 0) resumeAt = position + 2;
                position = target;
                continue;
            }
            if ((length & 0xC0) != 0) throw new DnsFormatException("a label uses a reserved length form");
            position++;
            if (length == 0) break;
            if (position + length > message.Length) throw new DnsFormatException("a label runs past the end of the message");
            if (name.Length > 0) name.Append('.');
            foreach (var b in message.Slice(position, length))
            {
                // Host names are letters, digits, '-' and '_' (service labels); anything else is kept escaped.
                if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_')
                    name.Append((char)b);
                else name.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            }
            if (name.Length > MaxNameLength) throw new DnsFormatException("a name is longer than 255 bytes");
            position += length;
        }
        at = resumeAt >= 0 ? resumeAt : position;
        return name.ToString();
    }
}
