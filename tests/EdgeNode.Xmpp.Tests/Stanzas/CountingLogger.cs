using Microsoft.Extensions.Logging;

namespace EdgeNode.Xmpp.Tests.Stanzas;

/// <summary>A logger that counts what it was given, by event id.</summary>
internal sealed class CountingLogger : ILogger
{
    private readonly Dictionary<int, int> _counts = [];

    public int Count(int eventId)
    {
        lock (_counts)
        {
            return _counts.GetValueOrDefault(eventId);
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_counts)
        {
            _counts[eventId.Id] = _counts.GetValueOrDefault(eventId.Id) + 1;
        }
    }
}
