using EdgeNode.Core.Dns;

namespace EdgeNode.Core.Tests.Dns;

public class DnsMessageTests
{
    private static byte[] Response(params byte[] answerSection)
    {
        var query = DnsMessage.BuildQuery(0x1234, "_s._tcp.a.test", DnsRecordType.Srv);
        var message = new byte[query.Length + answerSection.Length];
        query.CopyTo(message, 0);
        message[2] = 0x81;
        message[3] = 0x80;
        message[7] = 1; // one answer
        answerSection.CopyTo(message, query.Length);
        return message;
    }

    [Fact]
    public void BuildQuery_GoldenBytes()
    {
        var query = DnsMessage.BuildQuery(0xBEEF, "_xmpp-server._tcp.p.test", DnsRecordType.Srv);
        Assert.Equal(Convert.FromHexString("BEEF01000001000000000000" + "0C5F786D70702D736572766572" + "045F746370" + "0170" + "0474657374" + "00" + "0021" + "0001"), query);
    }

    [Fact]
    public void ReadResponse_PointerLoop_IsRejected()
    {
        // Owner name is a pointer to itself.
        var message = Response(0xC0, 0x00);
        var at = message.Length - 2;
        message[at + 1] = (byte)at;
        var e = Assert.Throws<DnsFormatException>(() => DnsMessage.ReadResponse(message, 0x1234, "_s._tcp.a.test", DnsRecordType.Srv));
        Assert.Contains("loops or points forward", e.Message);
    }

    [Fact]
    public void ReadResponse_RecordDataPastTheEnd_IsRejected()
    {
        // Pointer to the question name, SRV, IN, TTL, length 200 with 6 bytes present.
        var message = Response(0xC0, 12, 0, 33, 0, 1, 0, 0, 0, 60, 0, 200, 0, 1, 0, 1, 0x14, 0x95);
        Assert.Throws<DnsFormatException>(() => DnsMessage.ReadResponse(message, 0x1234, "_s._tcp.a.test", DnsRecordType.Srv));
    }

    [Fact]
    public void ReadResponse_WrongIdOrQuestion_IsRejected()
    {
        var message = Response();
        message[7] = 0;
        Assert.Throws<DnsFormatException>(() => DnsMessage.ReadResponse(message, 0x4321, "_s._tcp.a.test", DnsRecordType.Srv));
        Assert.Throws<DnsFormatException>(() => DnsMessage.ReadResponse(message, 0x1234, "_s._tcp.b.test", DnsRecordType.Srv));
        Assert.Empty(DnsMessage.ReadResponse(message, 0x1234, "_S._TCP.A.TEST.", DnsRecordType.Srv).Srv);
    }

    [Fact]
    public void ReadResponse_RandomGarbage_OnlyEverThrowsFormatErrors()
    {
        var random = new Random(2026);
        var valid = Response(0xC0, 12, 0, 33, 0, 1, 0, 0, 0, 60, 0, 12, 0, 1, 0, 1, 0x14, 0x95, 1, (byte)'h', 1, (byte)'t', 0, 0);
        Assert.Single(DnsMessage.ReadResponse(valid, 0x1234, "_s._tcp.a.test", DnsRecordType.Srv).Srv);
        for (var i = 0; i < 20_000; i++)
        {
            var message = (byte[])valid.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--) message[random.Next(message.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0) message = message[..random.Next(message.Length)];
            try { DnsMessage.ReadResponse(message, 0x1234, "_s._tcp.a.test", DnsRecordType.Srv); }
            catch (DnsFormatException) { }
        }
    }
}
