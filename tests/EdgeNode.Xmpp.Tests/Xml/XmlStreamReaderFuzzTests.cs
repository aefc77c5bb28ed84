using EdgeNode.Xmpp.Xml;
using static EdgeNode.Xmpp.Tests.Xml.XmlSamples;

namespace EdgeNode.Xmpp.Tests.Xml;

public class XmlStreamReaderFuzzTests
{
    private static readonly byte[] s_interesting =
        "<>/?!='\"&;:[]-x \n#"u8.ToArray().Concat(new byte[] { 0x00, 0x01, 0x80, 0xC3, 0xEF, 0xBF, 0xFF }).ToArray();

    [Fact]
    public void Read_RandomlyMutatedStreams_OnlyResultNeedMoreOrStreamError()
    {
        byte[] seed = FullStream();
        var random = new Random(20110301);
        int errors = 0;
        for (int iteration = 0; iteration < 5000; iteration++)
        {
            byte[] mutated = Mutate(seed, random);
            var options = new XmlStreamOptions { MaxStanzaBytes = 512, MaxDepth = 6, MaxAttributes = 8 };
            using var feeder = new StreamFeeder(options);
            try
            {
                feeder.FeedInChunks(mutated, random, maxChunk: 1 + random.Next(64));
                DescribeAgainAfterParse(feeder);
            }
            catch (XmlStreamException)
            {
                errors++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration}: {e.GetType().Name} {e.Message} on {Convert.ToHexString(mutated)}");
            }
        }

        // Most mutations break something and are caught; some land in text and leave a valid stream.
        Assert.InRange(errors, 1000, 4999);
    }

    [Fact]
    public void Read_RandomBytesAfterHeader_OnlyResultNeedMoreOrStreamError()
    {
        var random = new Random(6122);
        for (int iteration = 0; iteration < 2000; iteration++)
        {
            byte[] noise = new byte[random.Next(1, 64)];
            for (int i = 0; i < noise.Length; i++)
            {
                noise[i] = s_interesting[random.Next(s_interesting.Length)];
            }

            using var feeder = new StreamFeeder();
            try
            {
                feeder.Feed(Utf8(Header));
                feeder.FeedInChunks(noise, random, maxChunk: 8);
            }
            catch (XmlStreamException)
            {
            }
        }
    }

    // Near-misses of "]]>" that mutations produce often; each is valid XML. Crashes the fuzzer finds go here too.
    [Theory]
    [InlineData("<message><![CDATA[x]]]]></message>", 1, "x]]")]
    [InlineData("<message a='1'/><message b=\"]]>\"/>", 2, "")]
    [InlineData("<message><b>]]</b></message>", 1, "")]
    public void Read_CDataCloserNearMisses_AreAccepted(string stanzas, int count, string firstText)
    {
        using var feeder = new StreamFeeder();
        feeder.Feed(Utf8(Header));
        feeder.FeedInChunks(Utf8(stanzas), new Random(1), maxChunk: 3);

        Assert.Equal(1 + count, feeder.Events.Count);
        if (firstText.Length > 0)
        {
            Assert.Contains("\"" + firstText + "\"", feeder.Events[1]);
        }
    }

    private static void DescribeAgainAfterParse(StreamFeeder feeder)
    {
        // Events were already described (every view walked) while feeding; a clean result must be complete.
        foreach (string e in feeder.Events)
        {
            Assert.False(string.IsNullOrEmpty(e));
        }
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = new List<byte>(source);
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] = s_interesting[random.Next(s_interesting.Length)];
                    break;
                case 1:
                    bytes.Insert(at, s_interesting[random.Next(s_interesting.Length)]);
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    int length = Math.Min(random.Next(1, 40), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                default:
                    bytes[at] = (byte)random.Next(256);
                    break;
            }
        }

        return bytes.ToArray();
    }
}
