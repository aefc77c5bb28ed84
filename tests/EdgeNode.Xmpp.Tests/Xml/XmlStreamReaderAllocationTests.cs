using System.Buffers;
using EdgeNode.Xmpp.Xml;
using static EdgeNode.Xmpp.Tests.Xml.XmlSamples;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlStreamReaderAllocationTests
{
    private const int Stanzas = 10_000;

    [Fact]
    public void Read_TenThousandMessagesSingleSegment_AllocatesNothing()
    {
        byte[] message = Utf8(Message);
        AssertNoAllocation(new ReadOnlySequence<byte>(message));
    }

    [Fact]
    public void Read_TenThousandMessagesThreeSegments_AllocatesNothing()
    {
        byte[] message = Utf8(Message);
        AssertNoAllocation(TestSequence.Split(message, 17, 90));
    }

    private static void AssertNoAllocation(ReadOnlySequence<byte> stanza)
    {
        using var context = new XmlStreamContext();
        var header = new XmlStreamReader(new ReadOnlySequence<byte>(Utf8(Header)), default, context);
        Assert.True(header.Read());
        XmlStreamState state = header.State;

        int matched = ParseMany(stanza, ref state, context, 100);
        long before = GC.GetAllocatedBytesForCurrentThread();
        matched = ParseMany(stanza, ref state, context, Stanzas);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Stanzas, matched);
        Assert.Equal(0, allocated);
    }

    // What a router does with a message: read it, check names and addresses, look at the body.
    private static int ParseMany(ReadOnlySequence<byte> stanza, ref XmlStreamState state, XmlStreamContext context, int count)
    {
        int matched = 0;
        Span<byte> body = stackalloc byte[128];
        for (int i = 0; i < count; i++)
        {
            var reader = new XmlStreamReader(stanza, state, context);
            if (reader.Read() && reader.Element.Is("message"u8, "jabber:client"u8)
                && reader.Element.TryGetAttribute("to"u8, out XmlValue to) && to.ValueEquals("juliet@pi.example"u8)
                && reader.Element.TryGetChild("body"u8, "jabber:client"u8, out XmlElement element)
                && element.Text.TryCopyTo(body, out int written) && written > 0)
            {
                matched++;
            }

            state = reader.State;
        }

        return matched;
    }
}
