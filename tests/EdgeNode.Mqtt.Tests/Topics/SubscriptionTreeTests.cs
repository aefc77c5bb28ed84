using System.Text;
using EdgeNode.Mqtt.Codec;
using EdgeNode.Mqtt.Topics;

namespace EdgeNode.Mqtt.Tests.Topics;

public class SubscriptionTreeTests
{
    private static readonly MqttSubscriptionOptions Qos0 = new(MqttQos.AtMostOnce);

    // Cases from MQTT 3.1.1 section 4.7 and MQTT 5.0 section 4.7 (the sport/tennis and $SYS examples).
    [Theory]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/ranking", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player2", false)]
    [InlineData("sport/#", "sport", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player2", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [InlineData("sport/+", "sport", false)]
    [InlineData("sport/+", "sport/", true)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("+/tennis/#", "sport/tennis/x/y", true)]
    [InlineData("#", "sport/tennis", true)]
    [InlineData("#", "/", true)]
    [InlineData("#", "$SYS/broker", false)]
    [InlineData("+/monitor/Clients", "$SYS/monitor/Clients", false)]
    [InlineData("$SYS/#", "$SYS/monitor/Clients", true)]
    [InlineData("$SYS/monitor/+", "$SYS/monitor/Clients", true)]
    [InlineData("$SYS/#", "$SYS", true)]
    [InlineData("a/+/#", "a/b", true)]
    [InlineData("a//b", "a//b", true)]
    [InlineData("a//b", "a/b", false)]
    [InlineData("Accounts", "accounts", false)]
    [InlineData("a/b", "a/b/c", false)]
    [InlineData("a/b/c", "a/b", false)]
    public void Match_SpecificationExamples_MatchAsSpecified(string filter, string topic, bool matches)
    {
        var tree = new SubscriptionTree<string>();
        Assert.Equal(SubscribeResult.Added, tree.Subscribe("s", filter, Qos0));
        Assert.Equal(matches ? 1 : 0, MatchAll(tree, topic).Count);
    }

    [Fact]
    public void Match_OverlappingFilters_VisitsEachMatchingSubscription()
    {
        var tree = new SubscriptionTree<string>();
        tree.Subscribe("a", "sport/tennis/player1", Qos0, subscriptionIdentifier: 1);
        tree.Subscribe("b", "sport/+/player1", Qos0, subscriptionIdentifier: 2);
        tree.Subscribe("c", "sport/#", Qos0, subscriptionIdentifier: 3);
        tree.Subscribe("d", "#", Qos0, subscriptionIdentifier: 4);
        tree.Subscribe("e", "sport/tennis/player2", Qos0, subscriptionIdentifier: 5);
        tree.Subscribe("a", "+/+/+", new MqttSubscriptionOptions(MqttQos.ExactlyOnce), subscriptionIdentifier: 6);

        var matches = MatchAll(tree, "sport/tennis/player1");
        Assert.Equal([1u, 2u, 3u, 4u, 6u], matches.Select(m => m.SubscriptionIdentifier).Order());
    }

    [Fact]
    public void Subscribe_SameSubscriberAndFilter_ReplacesOptions()
    {
        var tree = new SubscriptionTree<string>();
        Assert.Equal(SubscribeResult.Added, tree.Subscribe("s", "a/b", Qos0));
        Assert.Equal(SubscribeResult.Replaced, tree.Subscribe("s", "a/b", new MqttSubscriptionOptions(MqttQos.AtLeastOnce)));
        Assert.Equal(1, tree.Count);
        Assert.Equal(MqttQos.AtLeastOnce, Assert.Single(MatchAll(tree, "a/b")).Options.MaximumQos);
    }

    [Theory]
    [InlineData("a/#/b")]
    [InlineData("a+")]
    [InlineData("")]
    [InlineData("$share/g")]
    public void Subscribe_InvalidFilter_ReturnsInvalidFilter(string filter)
    {
        var tree = new SubscriptionTree<string>();
        Assert.Equal(SubscribeResult.InvalidFilter, tree.Subscribe("s", filter, Qos0));
        Assert.Equal(0, tree.Count);
    }

    [Fact]
    public void Subscribe_DeeperThanLimit_ReturnsInvalidFilter()
    {
        var tree = new SubscriptionTree<string>(maxFilterLevels: 3);
        Assert.Equal(SubscribeResult.Added, tree.Subscribe("s", "a/b/c", Qos0));
        Assert.Equal(SubscribeResult.InvalidFilter, tree.Subscribe("s", "a/b/c/d", Qos0));
    }

    [Fact]
    public void Unsubscribe_RemovesOnlyThatSubscription()
    {
        var tree = new SubscriptionTree<string>();
        tree.Subscribe("a", "x/+", Qos0);
        tree.Subscribe("b", "x/+", Qos0);
        tree.Subscribe("a", "x/#", Qos0);

        Assert.True(tree.Unsubscribe("a", "x/+"));
        Assert.False(tree.Unsubscribe("a", "x/+"));
        Assert.False(tree.Unsubscribe("c", "x/#"));
        Assert.False(tree.Unsubscribe("a", "y/z"));
        Assert.Equal(2, tree.Count);
        Assert.Equal(["a", "b"], MatchAll(tree, "x/1").Select(m => m.Subscriber).Order());
    }

    [Fact]
    public void Unsubscribe_Everything_LeavesNothingMatching()
    {
        var tree = new SubscriptionTree<string>();
        string[] filters = ["a/b/c", "a/+/c", "a/#", "#", "+/b", "a//c", "$share/g/a/b/c"];
        foreach (string filter in filters)
        {
            tree.Subscribe("s", filter, Qos0);
        }

        foreach (string filter in filters)
        {
            Assert.True(tree.Unsubscribe("s", filter));
        }

        Assert.Equal(0, tree.Count);
        Assert.Empty(MatchAll(tree, "a/b/c"));

        // The pruned tree still accepts new subscriptions on the same paths.
        tree.Subscribe("t", "a/b/c", Qos0);
        Assert.Single(MatchAll(tree, "a/b/c"));
    }

    [Fact]
    public void Match_SharedSubscription_DeliversToOneMemberPerGroupInTurn()
    {
        var tree = new SubscriptionTree<string>();
        tree.Subscribe("m1", "$share/g1/sensors/+", Qos0);
        tree.Subscribe("m2", "$share/g1/sensors/+", Qos0);
        tree.Subscribe("m3", "$share/g1/sensors/+", Qos0);
        tree.Subscribe("n1", "$share/g2/sensors/#", Qos0);
        tree.Subscribe("plain", "sensors/+", Qos0);

        var g1 = new Dictionary<string, int>();
        for (int i = 0; i < 30; i++)
        {
            var matches = MatchAll(tree, "sensors/t1");
            Assert.Equal(3, matches.Count); // one of g1, the one of g2, the plain subscriber
            Assert.Single(matches, m => !m.IsShared);
            Assert.Single(matches, m => m.IsShared && m.Subscriber == "n1");
            string chosen = matches.Single(m => m.IsShared && m.Subscriber.StartsWith('m')).Subscriber;
            g1[chosen] = g1.GetValueOrDefault(chosen) + 1;
        }

        Assert.Equal(new Dictionary<string, int> { ["m1"] = 10, ["m2"] = 10, ["m3"] = 10 }, g1);
    }

    [Fact]
    public void Match_SharedMemberUnavailable_PassedOverWhileAnotherIsAvailable()
    {
        var offline = new HashSet<string> { "m2" };
        var tree = new SubscriptionTree<string> { SharedMemberAvailable = s => !offline.Contains(s) };
        tree.Subscribe("m1", "$share/g/t", Qos0);
        tree.Subscribe("m2", "$share/g/t", Qos0);
        tree.Subscribe("m3", "$share/g/t", Qos0);
        var chosen = Enumerable.Range(0, 6).Select(_ => Assert.Single(MatchAll(tree, "t")).Subscriber).ToList();
        Assert.Equal(3, chosen.Count(s => s == "m1"));
        Assert.Equal(3, chosen.Count(s => s == "m3"));

        // Nobody available: still one member in turn (a persistent session keeps it for later), never none.
        offline.UnionWith(["m1", "m3"]);
        Assert.Equal(["m1", "m2", "m3"], Enumerable.Range(0, 3).Select(_ => Assert.Single(MatchAll(tree, "t")).Subscriber).Order());
    }

    [Fact]
    public void Unsubscribe_SharedMember_LeavesOthersInGroup()
    {
        var tree = new SubscriptionTree<string>();
        tree.Subscribe("m1", "$share/g/t", Qos0);
        tree.Subscribe("m2", "$share/g/t", Qos0);
        Assert.True(tree.Unsubscribe("m1", "$share/g/t"));
        Assert.False(tree.Unsubscribe("m1", "t"));
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal("m2", Assert.Single(MatchAll(tree, "t")).Subscriber);
        }
    }

    [Fact]
    public void Match_ManySubscribers_FindsExactlyTheMatchingOnes()
    {
        var tree = new SubscriptionTree<int>();
        for (int i = 0; i < 1000; i++)
        {
            tree.Subscribe(i, $"devices/d{i}/state", Qos0);
            tree.Subscribe(i, $"devices/d{i}/cmd/#", Qos0);
        }

        for (int i = 0; i < 50; i++)
        {
            tree.Subscribe(10_000 + i, "devices/+/state", Qos0);
        }

        Assert.Equal(2050, tree.Count);
        var matches = MatchAll(tree, "devices/d500/state");
        Assert.Equal(51, matches.Count);
        Assert.Contains(matches, m => m.Subscriber == 500);
        Assert.Equal(500, Assert.Single(MatchAll(tree, "devices/d500/cmd/reboot")).Subscriber);
        Assert.Empty(MatchAll(tree, "devices/d1000/cmd"));
    }

    [Fact]
    public async Task Match_ConcurrentWithSubscribeAndUnsubscribe_NeverFailsAndSeesStableSubscriptions()
    {
        var tree = new SubscriptionTree<int>();
        tree.Subscribe(-1, "stable/+", Qos0);
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(() =>
        {
            for (int round = 0; round < 200; round++)
            {
                for (int i = 0; i < 50; i++)
                {
                    tree.Subscribe(i, $"stable/{i}", Qos0);
                }

                for (int i = 0; i < 50; i++)
                {
                    tree.Unsubscribe(i, $"stable/{i}");
                }
            }

            stop.Cancel();
        });

        Task[] readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var results = new List<MatchedSubscription<int>>();
            while (!stop.IsCancellationRequested)
            {
                results.Clear();
                tree.Match("stable/7"u8, results);
                Assert.Contains(results, m => m.Subscriber == -1);
            }
        })).ToArray();

        await Task.WhenAll([writer, .. readers]);
        Assert.Equal(1, tree.Count);
    }

    private static List<MatchedSubscription<T>> MatchAll<T>(SubscriptionTree<T> tree, string topic)
        where T : notnull
    {
        var results = new List<MatchedSubscription<T>>();
        tree.Match(Encoding.UTF8.GetBytes(topic), results);
        return results;
    }
}
