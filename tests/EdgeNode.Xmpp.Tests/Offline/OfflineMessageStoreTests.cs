using System.Text;
using EdgeNode.Core.Storage;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Routing;

namespace EdgeNode.Xmpp.Tests.Offline;

public class OfflineMessageStoreTests
{
    private const string Juliet = "juliet@pi.example";

    [Fact]
    public void Store_OverTheByteQuota_IsRefusedAndWhatIsStoredStaysWhole()
    {
        using var fixture = new OfflineFixture(maxMessages: 1000, maxBytes: 1000);
        string body = new('a', 300);
        Assert.Equal(OfflineResult.Stored, fixture.Keep(Juliet, body, 1));
        Assert.Equal(OfflineResult.Stored, fixture.Keep(Juliet, body, 2));
        var (messages, bytes) = fixture.Offline.Usage(Juliet);
        Assert.Equal(2, messages);

        // A third would pass 1000 bytes: refused, though the count quota is far away.
        Assert.Equal(OfflineResult.QuotaExceeded, fixture.Keep(Juliet, body, 3));
        Assert.Equal((2, bytes), fixture.Offline.Usage(Juliet));
        var page = fixture.Offline.ReadPage(Juliet, 0, 100, int.MaxValue);
        Assert.Equal(["m1", "m2"], page.Select(m => IdOf(m.Stanza)));

        // Another account has its own room.
        Assert.Equal(OfflineResult.Stored, fixture.Keep("nurse@pi.example", body, 4));
    }

    [Fact]
    public void Store_MatrixMessageWithoutXmppBytes_IsKeptAsTheXmppMessageItsClientsGet()
    {
        using var fixture = new OfflineFixture();
        var stanza = RoutedStanza.Message(MessageType.Chat, "bob@pi.example"u8, "juliet@pi.example"u8, "$ev1"u8, "while you were away\u0001"u8,
            default) with { Origin = StanzaOrigin.Matrix };
        Assert.Equal(OfflineResult.Stored, fixture.Offline.Store(Juliet, stanza));
        Assert.Equal(OfflineResult.NotStored, fixture.Offline.Store(Juliet, RoutedStanza.Message(MessageType.Chat, "bob@pi.example"u8,
            "juliet@pi.example"u8, default, default, default) with { Origin = StanzaOrigin.Matrix, ChatState = ChatState.Composing }));

        var page = fixture.Offline.ReadPage(Juliet, 0, 100, int.MaxValue);
        Assert.Equal("<message xmlns='jabber:client' from='bob@pi.example' to='juliet@pi.example' type='chat' id='$ev1'>"
            + "<body>while you were away\uFFFD</body><markable xmlns='urn:xmpp:chat-markers:0'/></message>",
            Encoding.UTF8.GetString(Assert.Single(page).Stanza));
    }

    [Fact]
    public void Store_DiskFull_StorageFullWithNothingKept_ThenStoredOnceThereIsRoom()
    {
        using var fixture = new OfflineFixture();
        Assert.Equal(OfflineResult.Stored, fixture.Keep(Juliet, "before", 1));
        // SQLite's page limit plays the full disk (tests/crash/disk_full.py fills a real one).
        long pages = fixture.Db.Read(c => (long)c.Command("PRAGMA page_count").ExecuteScalar()!);
        fixture.Db.Write(tx => { using var limit = tx.Command($"PRAGMA max_page_count = {pages}"); limit.ExecuteNonQuery(); });
        string big = new('b', 64 * 1024);

        Assert.Equal(OfflineResult.StorageFull, fixture.Keep(Juliet, big, 2));
        Assert.Equal(OfflineResult.StorageFull, fixture.Keep(Juliet, big, 3));
        Assert.True(fixture.Db.IsFull);
        Assert.Equal(1, fixture.Offline.Usage(Juliet).Messages);

        fixture.Db.Write(tx => { using var limit = tx.Command("PRAGMA max_page_count = 1000000000"); limit.ExecuteNonQuery(); });
        Assert.Equal(OfflineResult.Stored, fixture.Keep(Juliet, big, 4));
        Assert.Equal(["m1", "m4"], fixture.Offline.ReadPage(Juliet, 0, 100, int.MaxValue).Select(m => IdOf(m.Stanza)));
    }

    [Fact]
    public void Store_OneSenderOverItsShare_IsRefusedWhileOtherSendersAreStillStored()
    {
        using var fixture = new OfflineFixture(maxMessages: 10, maxPerSender: 3);
        for (int i = 1; i <= 3; i++)
        {
            Assert.Equal(OfflineResult.Stored, fixture.Keep(Juliet, "flood", i, from: $"mallory@pi.example/r{i}"));
        }

        // Every resource of the flooding account, and its address spelt otherwise, shares the one share.
        Assert.Equal(OfflineResult.QuotaExceeded, fixture.Keep(Juliet, "flood", 4, from: "mallory@pi.example/other"));
        Assert.Equal(OfflineResult.QuotaExceeded, fixture.Keep(Juliet, "flood", 5, from: "Mallory@pi.example"));

        // The store is far from full for everyone else.
        Assert.Equal(OfflineResult.Stored, fixture.Keep(Juliet, "hello", 6, from: "romeo@pi.example/orchard"));
        Assert.Equal(OfflineResult.Stored, fixture.Keep(Juliet, "hi", 7, from: "nurse@pi.example/kitchen"));
        Assert.Equal(5, fixture.Offline.Usage(Juliet).Messages);
    }

    [Fact]
    public void Store_OverTheMessageQuota_IsRefused()
    {
        using var fixture = new OfflineFixture(maxMessages: 2);
        Assert.Equal(OfflineResult.Stored, fixture.Keep(Juliet, "one", 1));
        Assert.Equal(OfflineResult.Stored, fixture.Keep(Juliet, "two", 2));
        Assert.Equal(OfflineResult.QuotaExceeded, fixture.Keep(Juliet, "three", 3));
        Assert.Equal(2, fixture.Offline.Usage(Juliet).Messages);
    }

    [Fact]
    public void ReadPage_StopsAtTheByteLimitAndDeleteRemovesOnlyThatPage()
    {
        using var fixture = new OfflineFixture();
        for (int i = 1; i <= 5; i++)
        {
            fixture.Keep(Juliet, new string('b', 100), i);
        }

        int one = fixture.Offline.ReadPage(Juliet, 0, 1, int.MaxValue)[0].Stanza.Length;
        var first = fixture.Offline.ReadPage(Juliet, 0, 100, (2 * one) + 10);
        Assert.Equal(["m1", "m2"], first.Select(m => IdOf(m.Stanza)));

        // Reading removes nothing; deleting the page leaves the rest in order.
        Assert.Equal(5, fixture.Offline.Usage(Juliet).Messages);
        fixture.Offline.Delete(Juliet, first[0].Id, first[^1].Id);
        var rest = fixture.Offline.ReadPage(Juliet, 0, 100, int.MaxValue);
        Assert.Equal(["m3", "m4", "m5"], rest.Select(m => IdOf(m.Stanza)));

        // A message larger than the page limit still comes, alone.
        Assert.Single(fixture.Offline.ReadPage(Juliet, 0, 100, 1));
    }

    internal static string IdOf(byte[] stanza)
    {
        string text = Encoding.UTF8.GetString(stanza);
        int start = text.IndexOf(" id='", StringComparison.Ordinal) + 5;
        return text[start..text.IndexOf('\'', start)];
    }
}
