namespace EdgeNode.Core.Tls;

/// <summary>
/// Hands out the current <see cref="TlsServerContext"/> of one listener and replaces it with a fresh one once
/// <see cref="TlsPolicy.TicketKeyLifetime"/> has passed: OpenSSL gives each new context random session-ticket keys, so
/// the keys rotate without a timer and without touching a context other connections are using. The previous context
/// is kept until the next rotation, since a connection may have taken it an instant before; OpenSSL frees a context
/// with the last connection made from it.
/// </summary>
public sealed class TlsContextRotation : IDisposable
{
    private readonly Func<TlsServerContext> _create;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private TlsServerContext _current;
    private TlsServerContext? _previous;
    private long _createdAt;

    public TlsContextRotation(Func<TlsServerContext> create, TimeProvider time, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(create);
        _create = create;
        _time = time ?? TimeProvider.System;
        _lifetime = lifetime ?? TlsPolicy.TicketKeyLifetime;
        _current = create();
        _createdAt = _time.GetTimestamp();
    }

    /// <summary>The context a new connection is made from.</summary>
    public TlsServerContext Current
    {
        get
        {
            lock (_lock)
            {
                if (_time.GetElapsedTime(_createdAt) >= _lifetime)
                {
                    TlsServerContext fresh = _create();
                    _previous?.Dispose();
                    _previous = _current;
                    _current = fresh;
                    _createdAt = _time.GetTimestamp();
                }

                return _current;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _previous?.Dispose();
            _current.Dispose();
        }
    }
}
