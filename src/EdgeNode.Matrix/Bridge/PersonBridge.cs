using System.Text.Json.Nodes;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>Placeholder until its part of the Matrix front-end lands: reaches nobody.</summary>
public sealed class PersonBridge(Homeserver server, Router router) : IDisposable
{
    internal Homeserver Server => server;
    internal Router Router => router;

    public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare) => AccountReach.NotUsed;


    internal void Observe(Db db, string roomId, string sender, string type, string? stateKey, JsonObject content)
    {
    }

    public void Dispose()
    {
    }
}
