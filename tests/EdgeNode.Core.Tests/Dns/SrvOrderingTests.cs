using EdgeNode.Core.Dns;

namespace EdgeNode.Core.Tests.Dns;

public class SrvOrderingTests
{
    [Fact]
    public void Order_LowerPriorityAlwaysFirst()
    {
        SrvRecord[] records = [new(20, 0, 1, "c", 0), new(5, 100, 1, "a", 0), new(10, 0, 1, "b", 0)];
        for (var seed = 0; seed < 50; seed++)
            Assert.Equal(["a", "b", "c"], SrvOrdering.Order(records, r => r, new Random(seed)).Select(r => r.Target));
    }

    [Fact]
    public void Order_WithinPriority_FollowsWeights()
    {
        SrvRecord[] records = [new(10, 90, 1, "heavy", 0), new(10, 10, 1, "light", 0)];
        var random = new Random(7);
        var heavyFirst = Enumerable.Range(0, 10_000).Count(_ => SrvOrdering.Order(records, r => r, random)[0].Target == "heavy");
        Assert.InRange(heavyFirst, 8_500, 9_500);
    }

    [Fact]
    public void Order_ZeroWeights_StillAllComeOut()
    {
        SrvRecord[] records = [new(1, 0, 1, "x", 0), new(1, 0, 1, "y", 0), new(1, 5, 1, "z", 0)];
        var ordered = SrvOrdering.Order(records, r => r, new Random(1));
        Assert.Equal(["x", "y", "z"], ordered.Select(r => r.Target).Order());
    }
}
