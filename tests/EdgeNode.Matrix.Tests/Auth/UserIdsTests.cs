using EdgeNode.Matrix.Auth;

namespace EdgeNode.Matrix.Tests.Auth;

public class UserIdsTests
{
    [Theory]
    [InlineData("@alice:a.example")]
    [InlineData("@Alice!#$%&'()*+,-./;<=>?[]^_`{|}~:a.example")] // historical: %x21-39 / %x3B-7E
    [InlineData("@a:[::1]:8448")]
    public void IsValid_HistoricalLocalpart_IsAccepted(string userId)
    {
        Assert.True(UserIds.IsValid(userId));
    }

    [Theory]
    [InlineData("@al ice:a.example")]
    [InlineData("@al\u0001ice:a.example")]
    [InlineData("@al\u007Fice:a.example")]
    [InlineData("@al\u00e9ice:a.example")]
    [InlineData("@al\0ice:a.example")]
    public void IsValid_SpaceControlOrNonAsciiInLocalpart_IsRejected(string userId)
    {
        Assert.False(UserIds.IsValid(userId));
    }
}
