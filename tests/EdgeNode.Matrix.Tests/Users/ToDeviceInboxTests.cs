using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Tests.Rooms;
using EdgeNode.Matrix.Users;

namespace EdgeNode.Matrix.Tests.Users;

public class ToDeviceInboxTests
{
    private const string Bob = "@bob:hs.test";

    private static void Queue(TestHomeserver hs, int count, int maxPending = 100_000) => hs.Server.Write(db =>
    {
        for (var i = 0; i < count; i++)
            Assert.True(ToDeviceInbox.Enqueue(db, Bob, "PHONE", "@alice:hs.test", "m.room_key", $$"""{"n":{{i}}}""", maxPending));
    });

    /// <summary>What a client sees over successive syncs, each presenting the previous next_batch, as /sync does it.</summary>
    private static (List<int> Numbers, List<string> Tokens) SyncUntilEmpty(TestHomeserver hs)
    {
        var numbers = new List<int>();
        var tokens = new List<string>();
        SyncToken? since = null;
        for (var round = 0; round < 20; round++)
        {
            if (since is { } acknowledged) hs.Server.Write(db => ToDeviceInbox.Acknowledge(db, Bob, "PHONE", acknowledged.ToDevice));
            var to = hs.Server.Clock.Current;
            var (events, position) = hs.Server.Read(db => ToDeviceInbox.Take(db, Bob, "PHONE", since?.ToDevice ?? 0, to));
            if (events.Count == 0) break;
            numbers.AddRange(events.Select(e => (int)e!["content"]!["n"]!));
            var token = new SyncToken(to, position).ToString();
            tokens.Add(token);
            since = SyncToken.Parse(token);
        }
        return (numbers, tokens);
    }

    [Fact]
    public void Take_MoreThanOneSyncsWorth_EveryMessageDeliveredOnceInOrder()
    {
        using var hs = new TestHomeserver();
        Queue(hs, 250);

        var (numbers, tokens) = SyncUntilEmpty(hs);

        Assert.Equal(Enumerable.Range(0, 250), numbers);
        Assert.Equal(3, tokens.Count);
        // The first two responses say where the to-device share stopped; the last covers everything.
        Assert.Contains('_', tokens[0]);
        Assert.Contains('_', tokens[1]);
        Assert.DoesNotContain('_', tokens[2]);
        hs.Server.Write(db => ToDeviceInbox.Acknowledge(db, Bob, "PHONE", SyncToken.Parse(tokens[2])!.Value.ToDevice));
        Assert.Equal(0L, hs.Server.Read(db => (long)db.Scalar("SELECT count(*) FROM matrix_to_device")!));
    }

    [Fact]
    public void Take_ResponseLost_SameMessagesAgainWithTheOldToken()
    {
        using var hs = new TestHomeserver();
        Queue(hs, 150);
        var to = hs.Server.Clock.Current;
        var (first, position) = hs.Server.Read(db => ToDeviceInbox.Take(db, Bob, "PHONE", 0, to));

        // The client never got that answer and syncs again without a token: nothing was acknowledged.
        var (again, samePosition) = hs.Server.Read(db => ToDeviceInbox.Take(db, Bob, "PHONE", 0, to));
        hs.Server.Write(db => ToDeviceInbox.Acknowledge(db, Bob, "PHONE", position));
        var (rest, end) = hs.Server.Read(db => ToDeviceInbox.Take(db, Bob, "PHONE", position, to));

        Assert.Equal(ToDeviceInbox.MaxPerSync, first.Count);
        Assert.Equal(first.ToJsonString(), again.ToJsonString());
        Assert.Equal(position, samePosition);
        Assert.True(position < to);
        Assert.Equal(Enumerable.Range(100, 50), rest.Select(e => (int)e!["content"]!["n"]!));
        Assert.Equal(to, end);
    }

    [Fact]
    public void Enqueue_DeviceQueueFull_Dropped()
    {
        using var hs = new TestHomeserver();
        Queue(hs, 100, maxPending: 100);

        var accepted = hs.Server.Write(db => ToDeviceInbox.Enqueue(db, Bob, "PHONE", "@alice:hs.test", "m.room_key", "{}", 100));
        var otherDevice = hs.Server.Write(db => ToDeviceInbox.Enqueue(db, Bob, "LAPTOP", "@alice:hs.test", "m.room_key", "{}", 100));

        Assert.False(accepted);
        Assert.True(otherDevice);
        Assert.Equal(100L, hs.Server.Read(db => (long)db.Scalar("SELECT count(*) FROM matrix_to_device WHERE device_id = 'PHONE'")!));
    }

    [Theory]
    [InlineData("s42", 42, 42)]
    [InlineData("s42_17", 42, 17)]
    [InlineData("s42_99", 42, 42)]
    public void Parse_Tokens_PositionAndToDevicePosition(string text, long position, long toDevice) =>
        Assert.Equal(new SyncToken(position, toDevice), SyncToken.Parse(text));

    [Theory]
    [InlineData("s42_x")]
    [InlineData("x42")]
    public void Parse_NotOurs_InvalidParam(string text) =>
        Assert.Equal("M_INVALID_PARAM", Assert.Throws<MatrixException>(() => SyncToken.Parse(text)).ErrCode);

    [Fact]
    public void ToString_RoundTrips() =>
        Assert.Equal(new SyncToken(9, 3), SyncToken.Parse(new SyncToken(9, 3).ToString()));
}
