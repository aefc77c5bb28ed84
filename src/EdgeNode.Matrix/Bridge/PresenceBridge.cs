using EdgeNode.Core.Routing;

namespace EdgeNode.Matrix.Bridge;

/// <summary>Placeholder until its part of the Matrix front-end lands: shows nothing, shares nothing.</summary>
public sealed class PresenceBridge(Homeserver server, Router router) : IDisposable
{
    internal Homeserver Server => server;
    internal Router Router => router;

    public void Show(AccountPresence presence)
    {
    }

    public bool ShareConversation(string bareA, string bareB) => false;

    public void Dispose()
    {
    }
}
