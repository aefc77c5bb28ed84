using EdgeNode.Matrix.ClientApi;

namespace EdgeNode.Matrix.Tests.ClientApi;

public class PushRulesTests
{
    [Fact]
    public void Global_DefaultRuleSet_HasEveryKindAndTheUsersRules()
    {
        var rules = PushRules.Global("@alice:hs.test", "alice");
        var json = rules.ToJsonString();
        Assert.Equal(5, rules.Count);
        Assert.Equal(".m.rule.master", (string)rules["override"]![0]!["rule_id"]!);
        Assert.False((bool)rules["override"]![0]!["enabled"]!);
        Assert.Equal("alice", (string)rules["content"]![0]!["pattern"]!);
        Assert.Contains("\"@alice:hs.test\"", json);
        Assert.Equal(".m.rule.encrypted", (string)rules["underride"]!.AsArray()[^1]!["rule_id"]!);
    }
}
