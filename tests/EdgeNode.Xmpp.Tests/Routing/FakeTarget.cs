using System.Text;
using EdgeNode.Core.Routing;

using EdgeNode.Xmpp.Routing;

namespace EdgeNode.Xmpp.Tests.Routing;

/// <summary>A session that records what the router hands it.</summary>
internal sealed class FakeTarget(string bare, string resource, bool available = true, int priority = 0) : IRouteTarget
{
    private readonly byte[] _resource = Encoding.UTF8.GetBytes(resource);
    private readonly byte[] _full = Encoding.UTF8.GetBytes($"{bare}/{resource}");

    public string Bare { get; } = bare;
    public ReadOnlySpan<byte> Resource => _resource;
    public ReadOnlySpan<byte> FullAddress => _full;
    public bool IsAvailable { get; set; } = available;
    public int Priority { get; set; } = priority;
    public List<string> Delivered { get; } = [];
    public List<(CopyKind Kind, string Stanza)> Copies { get; } = [];
    public TargetCloseReason? ClosedFor { get; private set; }

    public bool Deliver(in RoutedStanza stanza)
    {
        Delivered.Add(stanza.Xmpp.IsEmpty ? Encoding.UTF8.GetString(stanza.Body) : Encoding.UTF8.GetString(stanza.Xmpp));
        return true;
    }

    public void DeliverCopy(in RoutedStanza stanza, CopyKind kind) => Copies.Add((kind, Encoding.UTF8.GetString(stanza.Xmpp)));

    public void Close(TargetCloseReason reason) => ClosedFor = reason;

    public override string ToString() => $"{Bare}/{Encoding.UTF8.GetString(_resource)}";
}

internal sealed class FakeOffline : IOfflineStore
{
    public int Quota { get; set; } = 10;
    public List<(string Owner, string Stanza)> Stored { get; } = [];

    public OfflineResult Store(string recipientBare, in RoutedStanza stanza)
    {
        if (stanza.Body.IsEmpty) return OfflineResult.NotStored;
        if (Stored.Count(s => s.Owner == recipientBare) >= Quota) return OfflineResult.QuotaExceeded;
        Stored.Add((recipientBare, Encoding.UTF8.GetString(stanza.Xmpp)));
        return OfflineResult.Stored;
    }
}

internal sealed class FakeAccounts(params string[] accounts) : IAccountDirectory
{
    public bool Exists(string bare) => accounts.Contains(bare);
}
