using System.Text;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Topics;

namespace EdgeNode.Mqtt.Tests.Topics;

/// <summary>Random and hostile $share filters against the parser, a string oracle written from section 4.8.2, and the tree.</summary>
public class SharedFilterHostileInputTests
{
    // Bytes that matter to the grammar, weighted towards the separators and wildcards, plus invalid UTF-8 and NUL.
    private static readonly byte[] Alphabet = [(byte)'/', (byte)'/', (byte)'+', (byte)'#', (byte)'a', (byte)'b', (byte)'$', 0x00, 0xC3, 0xA9, 0xFF, 0xED, 0xA0, 0x80];

    [Fact]
    public void TryParseShared_RandomFilters_AgreesWithOracleAndNeverThrows()
    {
        var random = new Random(4820);
        int valid = 0, invalid = 0;
        for (int iteration = 0; iteration < 50_000; iteration++)
        {
            byte[] filter = [.. "$share/"u8, .. (random.Next(4) == 0 ? RandomBytes(random, random.Next(0, 12)) : RandomLevels(random))];
            bool parsed = MqttTopic.TryParseShared(filter, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> inner);
            Assert.Equal(Oracle(filter), parsed);
            Assert.Equal(parsed, MqttTopic.IsValidTopicFilter(filter));
            if (parsed)
            {
                valid++;
                Assert.True(name.Length > 0 && name.IndexOfAny("/+#"u8) < 0);
                byte[] rebuilt = [.. "$share/"u8, .. name, (byte)'/', .. inner];
                Assert.Equal(filter, rebuilt);
            }
            else
            {
                invalid++;
            }
        }

        // Both outcomes must be common, or the generator is not exercising the parser.
        Assert.True(valid > 1000 && invalid > 1000, $"valid {valid}, invalid {invalid}");
    }

    [Theory]
    [InlineData("$share/e/$share/x")]
    // Found by the mqtt-topic fuzz target: the inner filter was accepted, but on its own it is no valid filter.
    [InlineData("$share/e/$share/////////////////@//////////////e/gPag/aA")]
    public void TryParseShared_InnerFilterItselfShared_Refused(string filter)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(filter);
        Assert.False(MqttTopic.TryParseShared(bytes, out _, out _));
        Assert.False(MqttTopic.IsValidTopicFilter(bytes));
    }

    [Fact]
    public void SubscribeMatchUnsubscribe_RandomSharedFilters_TreeEndsEmpty()
    {
        var random = new Random(99);
        var tree = new SubscriptionTree<int>();
        var accepted = new List<(int Subscriber, byte[] Filter)>();
        for (int i = 0; i < 5_000; i++)
        {
            byte[] filter = [.. "$share/"u8, .. (random.Next(4) == 0 ? RandomBytes(random, random.Next(0, 10)) : RandomLevels(random))];
            SubscribeResult result = tree.Subscribe(i % 7, filter, new MqttSubscriptionOptions(MqttQos.AtLeastOnce));
            Assert.Equal(Oracle(filter), result != SubscribeResult.InvalidFilter);
            if (result == SubscribeResult.Added)
            {
                accepted.Add((i % 7, filter));
            }

            byte[] topic = [.. RandomBytes(random, random.Next(1, 8)).Where(b => b is not ((byte)'+' or (byte)'#'))];
            if (MqttTopic.IsValidTopicName(topic))
            {
                var matches = new List<MatchedSubscription<int>>();
                tree.Match(topic, matches);
                Assert.All(matches, m => Assert.True(m.IsShared));
            }
        }

        Assert.Equal(accepted.Count, tree.Count);
        foreach ((int subscriber, byte[] filter) in accepted)
        {
            Assert.True(tree.Unsubscribe(subscriber, filter));
        }

        Assert.Equal(0, tree.Count);
    }

    [Fact]
    public void TryParseShared_HugeAndDeepInputs_RejectedOrParsedWithoutThrowing()
    {
        byte[] longName = [.. "$share/"u8, .. Enumerable.Repeat((byte)'n', 70_000), (byte)'/', (byte)'a'];
        Assert.False(MqttTopic.TryParseShared(longName, out _, out _));
        byte[] deep = Encoding.UTF8.GetBytes("$share/g/" + string.Join('/', Enumerable.Repeat("+", 30_000)));
        Assert.True(MqttTopic.TryParseShared(deep, out _, out _));
        var tree = new SubscriptionTree<int>();
        Assert.Equal(SubscribeResult.InvalidFilter, tree.Subscribe(1, deep, default)); // deeper than the tree allows
        Assert.False(MqttTopic.TryParseShared("$share/"u8, out _, out _));
        Assert.False(MqttTopic.TryParseShared("$shar"u8, out _, out _));
        Assert.False(MqttTopic.TryParseShared("$share/g\0/a"u8, out _, out _));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = Alphabet[random.Next(Alphabet.Length)];
        }

        return bytes;
    }

    /// <summary>Levels joined by '/', mostly well-formed ones, so that valid filters are common too.</summary>
    private static byte[] RandomLevels(Random random)
    {
        byte[][] levels = ["a"u8.ToArray(), "b"u8.ToArray(), "+"u8.ToArray(), "#"u8.ToArray(), [], "\u00e9"u8.ToArray(), "a+"u8.ToArray(), "#b"u8.ToArray(), [0xFF], [0x00]];
        var result = new List<byte>();
        int count = random.Next(1, 6);
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                result.Add((byte)'/');
            }

            // Plain letters most of the time; the troublemakers now and then.
            result.AddRange(levels[random.Next(3) == 0 ? random.Next(levels.Length) : random.Next(2)]);
        }

        return [.. result];
    }

    /// <summary>Section 4.8.2 read as plainly as possible, on a decoded string.</summary>
    private static bool Oracle(byte[] filter)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(filter);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        if (text.Contains('\0') || !text.StartsWith("$share/", StringComparison.Ordinal))
        {
            return false;
        }

        string rest = text["$share/".Length..];
        int slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        string name = rest[..slash];
        string inner = rest[(slash + 1)..];
        if (name.Contains('+') || name.Contains('#') || inner.Length == 0 || inner.StartsWith("$share/", StringComparison.Ordinal))
        {
            return false;
        }

        string[] levels = inner.Split('/');
        for (int i = 0; i < levels.Length; i++)
        {
            string level = levels[i];
            if ((level.Contains('+') || level.Contains('#')) && level.Length != 1)
            {
                return false;
            }

            if (level == "#" && i != levels.Length - 1)
            {
                return false;
            }
        }

        return true;
    }
}
