using EdgeNode.Matrix.Json;

namespace EdgeNode.Matrix.Tests.Json;

public class CodePointComparerTests
{
    [Theory]
    [InlineData("a", "b")]
    [InlineData("a", "ab")]
    [InlineData("", "a")]
    [InlineData("Z", "a")]
    [InlineData("\uE000", "\U00010000")]
    [InlineData("\uFFFF", "\U0010FFFF")]
    [InlineData("\uD7FF", "\uE000")]
    [InlineData("\U00010000", "\U00010001")]
    public void Compare_OrderedPair_SortsByCodePoint(string smaller, string larger)
    {
        Assert.True(CodePointComparer.Instance.Compare(smaller, larger) < 0);
        Assert.True(CodePointComparer.Instance.Compare(larger, smaller) > 0);
        Assert.Equal(0, CodePointComparer.Instance.Compare(smaller, new string(smaller)));
    }
}
