using System.Text;
using EdgeNode.Matrix.Text;

namespace EdgeNode.Matrix.Tests.Text;

public class UnpaddedBase64Tests
{
    // The spec appendix "Unpadded Base64" examples.
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "Zg")]
    [InlineData("fo", "Zm8")]
    [InlineData("foo", "Zm9v")]
    [InlineData("foob", "Zm9vYg")]
    [InlineData("fooba", "Zm9vYmE")]
    [InlineData("foobar", "Zm9vYmFy")]
    public void Encode_SpecExample_HasNoPadding(string input, string expected)
    {
        Assert.Equal(expected, UnpaddedBase64.Encode(Encoding.ASCII.GetBytes(input)));
        Assert.Equal(input, Encoding.ASCII.GetString(UnpaddedBase64.Decode(expected)));
    }

    [Theory]
    [InlineData("Zg==")]
    [InlineData("Zg")]
    public void TryDecode_PaddedOrUnpadded_Accepts(string text)
    {
        Assert.True(UnpaddedBase64.TryDecode(text, out byte[] data));
        Assert.Equal("f"u8.ToArray(), data);
    }

    [Theory]
    [InlineData("Z")]
    [InlineData("Zm9v!")]
    [InlineData("Zm 9v")]
    [InlineData("-_8")]
    public void TryDecode_Invalid_ReturnsFalse(string text)
    {
        Assert.False(UnpaddedBase64.TryDecode(text, out _));
    }

    [Fact]
    public void EncodeUrlSafe_BytesNeedingPlusAndSlash_UsesDashAndUnderscore()
    {
        byte[] data = [0xFB, 0xFF, 0xBF];
        Assert.Equal("+/+/", UnpaddedBase64.Encode(data));
        Assert.Equal("-_-_", UnpaddedBase64.EncodeUrlSafe(data));
        Assert.Equal("-w", UnpaddedBase64.EncodeUrlSafe([0xFB]));
        Assert.True(UnpaddedBase64.TryDecodeUrlSafe("-_-_", out byte[] back));
        Assert.Equal(data, back);
        Assert.False(UnpaddedBase64.TryDecodeUrlSafe("+/+/", out _));
    }
}
