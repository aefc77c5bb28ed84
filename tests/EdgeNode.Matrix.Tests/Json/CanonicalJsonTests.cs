using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeNode.Matrix.Json;

namespace EdgeNode.Matrix.Tests.Json;

public class CanonicalJsonTests
{
    private static string Canon(string json) => Encoding.UTF8.GetString(CanonicalJson.Canonicalize(Encoding.UTF8.GetBytes(json)));

    private static string CanonNode(string json) => Encoding.UTF8.GetString(CanonicalJson.Serialize(JsonNode.Parse(json)));

    // Every example of the spec's appendix "Canonical JSON", in order.
    [Theory]
    [InlineData("{}", "{}")]
    [InlineData("{\n    \"one\": 1,\n    \"two\": \"Two\"\n}", "{\"one\":1,\"two\":\"Two\"}")]
    [InlineData("{\n    \"b\": \"2\",\n    \"a\": \"1\"\n}", "{\"a\":\"1\",\"b\":\"2\"}")]
    [InlineData("{\"b\":\"2\",\"a\":\"1\"}", "{\"a\":\"1\",\"b\":\"2\"}")]
    [InlineData(
        "{\n \"auth\": {\n  \"success\": true,\n  \"mxid\": \"@john.doe:example.com\",\n  \"profile\": {\n   \"display_name\": \"John Doe\",\n   \"three_pids\": [\n    {\n     \"medium\": \"email\",\n     \"address\": \"john.doe@example.org\"\n    },\n    {\n     \"medium\": \"msisdn\",\n     \"address\": \"123456789\"\n    }\n   ]\n  }\n }\n}",
        "{\"auth\":{\"mxid\":\"@john.doe:example.com\",\"profile\":{\"display_name\":\"John Doe\",\"three_pids\":[{\"address\":\"john.doe@example.org\",\"medium\":\"email\"},{\"address\":\"123456789\",\"medium\":\"msisdn\"}]},\"success\":true}}")]
    [InlineData("{\n    \"a\": \"日本語\"\n}", "{\"a\":\"日本語\"}")]
    [InlineData("{\n    \"本\": 2,\n    \"日\": 1\n}", "{\"日\":1,\"本\":2}")]
    [InlineData("{\n    \"a\": \"\\u65E5\"\n}", "{\"a\":\"日\"}")]
    [InlineData("{\n    \"a\": null\n}", "{\"a\":null}")]
    [InlineData("{\n    \"a\": -0,\n    \"b\": 1e10\n}", "{\"a\":0,\"b\":10000000000}")]
    public void Serialize_SpecExample_MatchesSpecOutput(string input, string expected)
    {
        Assert.Equal(expected, Canon(input));
        Assert.Equal(expected, CanonNode(input));
    }

    [Fact]
    public void Serialize_ControlCharacters_UseShortFormsOrLowercaseHex()
    {
        string input = "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ \\/ \\u007f\\u00e9\\u2028\"";
        string expected = "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\\" \\\\ / \u007fé\u2028\"";
        Assert.Equal(expected, Canon(input));
    }

    [Fact]
    public void Serialize_NonAsciiText_IsRawUtf8()
    {
        byte[] bytes = CanonicalJson.Canonicalize("\"\\u00e9\\ud83d\\ude00\""u8);
        Assert.Equal([(byte)'"', 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, (byte)'"'], bytes);
    }

    [Fact]
    public void Serialize_KeysAboveBmpAndPrivateUse_SortByCodePointNotUtf16()
    {
        // U+1F600 is a surrogate pair in UTF-16 (D83D..) and sorts before U+FF21 there; by code point it is after.
        Assert.Equal("{\"Ａ\":1,\"😀\":2}", Canon("{\"😀\":2,\"Ａ\":1}"));
    }

    [Fact]
    public void Serialize_NestedArraysKeepOrder_ObjectsInsideAreSorted()
    {
        Assert.Equal("[3,1,{\"a\":[],\"b\":{}},true,false]", Canon("[ 3, 1, {\"b\": {}, \"a\": []}, true, false ]"));
    }

    [Theory]
    [InlineData("9007199254740991", "9007199254740991")]
    [InlineData("-9007199254740991", "-9007199254740991")]
    [InlineData("1.0", "1")]
    [InlineData("1.5e1", "15")]
    [InlineData("100e-2", "1")]
    [InlineData("-0.0", "0")]
    [InlineData("0E+5", "0")]
    [InlineData("1E+15", "1000000000000000")]
    public void Serialize_IntegerValuedNumber_WritesPlainInteger(string input, string expected)
    {
        Assert.Equal(expected, Canon(input));
    }

    [Theory]
    [InlineData("9007199254740992")]
    [InlineData("-9007199254740992")]
    [InlineData("1e16")]
    [InlineData("1e999999999999")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("1.5")]
    [InlineData("1e-1")]
    [InlineData("0.000000000000000000000000001")]
    [InlineData("1.000000000000000000000000000001")]
    public void Serialize_FractionOrOutOfRange_Throws(string input)
    {
        var e = Assert.Throws<CanonicalJsonException>(() => Canon(input));
        Assert.Contains(input, e.Message);
    }

    [Fact]
    public void Serialize_DuplicateKeys_Throws()
    {
        var e = Assert.Throws<CanonicalJsonException>(() => Canon("{\"a\":1,\"a\":2}"));
        Assert.Contains("\"a\"", e.Message);
    }

    [Fact]
    public void Serialize_LoneSurrogateInCreatedNode_Throws()
    {
        var node = new JsonObject { ["a"] = "x\uD800y" };
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Serialize(node));
    }

    [Fact]
    public void Serialize_CreatedNodeValues_MatchParsedForm()
    {
        var node = new JsonObject
        {
            ["long"] = 9007199254740991L,
            ["int"] = -5,
            ["double"] = 1e10,
            ["bool"] = true,
            ["null"] = null,
            ["text"] = "tab\there",
            ["array"] = new JsonArray(1, "two"),
        };
        Assert.Equal(
            "{\"array\":[1,\"two\"],\"bool\":true,\"double\":10000000000,\"int\":-5,\"long\":9007199254740991,\"null\":null,\"text\":\"tab\\there\"}",
            Encoding.UTF8.GetString(CanonicalJson.Serialize(node)));
    }

    [Fact]
    public void Serialize_CreatedNodeOutOfRangeOrFraction_Throws()
    {
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Serialize(new JsonObject { ["a"] = 9007199254740992L }));
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Serialize(new JsonObject { ["a"] = 0.5 }));
    }

    [Fact]
    public void Serialize_JsonElementAndNode_ProduceSameBytes()
    {
        const string json = "{\"z\":[1,2,{\"é\":\"\\n\"}],\"a\":{\"y\":null,\"x\":-0}}";
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal(CanonicalJson.Serialize(document.RootElement), CanonicalJson.Serialize(JsonNode.Parse(json)));
    }

    [Fact]
    public void Serialize_TooDeep_Throws()
    {
        JsonNode node = new JsonArray();
        for (int i = 0; i < 200; i++) node = new JsonArray(node);
        Assert.Throws<CanonicalJsonException>(() => CanonicalJson.Serialize(node));
    }
}
