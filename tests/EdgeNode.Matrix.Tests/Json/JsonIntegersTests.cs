using System.Text.Json.Nodes;
using EdgeNode.Matrix.Json;

namespace EdgeNode.Matrix.Tests.Json;

public class JsonIntegersTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("50", 50)]
    [InlineData("-50", -50)]
    [InlineData("9007199254740991", 9007199254740991)]
    [InlineData("-9007199254740991", -9007199254740991)]
    public void TryGet_CanonicalInteger_ReturnsIt(string json, long expected)
    {
        Assert.True(JsonIntegers.TryGet(JsonNode.Parse(json), out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1.5e1")]
    [InlineData("100e-2")]
    [InlineData("5E1")]
    [InlineData("-0.0")]
    [InlineData("1.5")]
    [InlineData("9007199254740992")]
    [InlineData("-9007199254740992")]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    [InlineData("\"50\"")]
    public void TryGet_FloatOrOutOfRange_IsNotAnInteger(string json)
    {
        // Floats are not canonical JSON and v6+ rooms enforce it; out-of-range values overflow power arithmetic.
        Assert.False(JsonIntegers.TryGet(JsonNode.Parse(json), out _));
    }

    [Fact]
    public void TryGet_CreatedLongOutsideCanonicalRange_IsNotAnInteger()
    {
        Assert.False(JsonIntegers.TryGet(JsonValue.Create(long.MaxValue), out _));
        Assert.False(JsonIntegers.TryGet(JsonValue.Create(long.MinValue), out _));
        Assert.False(JsonIntegers.TryGet(JsonValue.Create(1.0), out _));
        Assert.True(JsonIntegers.TryGet(JsonValue.Create(42L), out long value));
        Assert.Equal(42, value);
    }
}
