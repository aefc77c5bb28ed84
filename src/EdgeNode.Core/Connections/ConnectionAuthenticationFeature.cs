namespace EdgeNode.Core.Connections;

/// <summary>
/// Put on a connection's features by the node's connection limits: a protocol calls <see cref="Authenticated"/> once
/// its client has logged in (an XMPP resource bound, an MQTT CONNACK sent), and the connection stops counting against
/// its listener's share of unauthenticated connections. Calling it again does nothing.
/// </summary>
public sealed class ConnectionAuthenticationFeature(Action onAuthenticated)
{
    private int _done;

    /// <summary>Whether <see cref="Authenticated"/> has been called.</summary>
    public bool IsAuthenticated => Volatile.Read(ref _done) != 0;

    public void Authenticated()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) onAuthenticated();
    }
}
