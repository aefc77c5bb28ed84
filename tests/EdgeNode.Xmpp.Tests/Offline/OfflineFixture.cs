using System.IO.Pipelines;
using System.Text;
using EdgeNode.Core.Routing;
using EdgeNode.Xmpp.Routing;
using EdgeNode.Core.Storage;
using EdgeNode.Xmpp.Offline;
using EdgeNode.Xmpp.Storage;
using EdgeNode.Xmpp.Streams;

namespace EdgeNode.Xmpp.Tests.Offline;

/// <summary>A real store in a temporary directory, and a session whose output goes through the real pump into a pipe.</summary>
internal sealed class OfflineFixture : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgenode-offline-").FullName;

    public OfflineFixture(int maxMessages = 10_000, long maxBytes = 64 * 1024 * 1024, int maxPerSender = 0)
    {
        Db = Store.Open(_dir, XmppMigrations.Set);
        Offline = new OfflineMessageStore(Db, maxMessages, maxBytes, maxPerSender);
    }

    public Store Db { get; }
    public OfflineMessageStore Offline { get; }

    public OfflineResult Keep(string owner, string body, int number, string from = "romeo@pi.example/orchard")
    {
        string xml = $"<message xmlns='jabber:client' to='{owner}' type='chat' id='m{number}' from='{from}'><body>{body}</body></message>";
        byte[] bytes = Encoding.UTF8.GetBytes(xml);
        return Offline.Store(owner, RoutedStanza.Message(MessageType.Chat, Encoding.UTF8.GetBytes(from), Encoding.UTF8.GetBytes(owner), default,
            Encoding.UTF8.GetBytes(body), bytes));
    }

    public void Dispose()
    {
        Db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>A session owner that remembers why it was asked to close.</summary>
internal sealed class RecordingOwner : ISessionOwner
{
    public TargetCloseReason? Closed { get; private set; }

    public void RequestClose(TargetCloseReason reason) => Closed ??= reason;
}

/// <summary>The connection side of a session: its real pump writing into a pipe, and a reader collecting the bytes.</summary>
internal sealed class PumpedSession
{
    private readonly Pipe _pipe = new();
    private readonly MemoryStream _received = new();

    public PumpedSession(string bare, string resource, int outboundCapacity)
    {
        Owner = new RecordingOwner();
        Session = new C2sSession(bare, resource, outboundCapacity, Owner);
        Pump = new OutboundPump(Session, _pipe.Writer, new CancellationTokenSource(), () => _pipe.Reader.CancelPendingRead());
        Pump.Start();
        Reading = ReadAllAsync();
    }

    public RecordingOwner Owner { get; }
    public C2sSession Session { get; }
    public OutboundPump Pump { get; }
    public Task Reading { get; }

    /// <summary>Stops the pump as a closing connection does and returns everything the client received.</summary>
    public async Task<string> CloseAsync()
    {
        await Pump.StopAsync(CancellationToken.None);
        await _pipe.Writer.CompleteAsync();
        await Reading;
        return Encoding.UTF8.GetString(_received.ToArray());
    }

    private async Task ReadAllAsync()
    {
        while (true)
        {
            ReadResult result = await _pipe.Reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                _received.Write(segment.Span);
            }

            _pipe.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
