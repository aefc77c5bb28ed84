using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices.Tests;

/// <summary>Keeps every log entry so tests can check that bad input was reported, and that good input was not.</summary>
public sealed class ListLogger : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, EventId Id, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, EventId Id, string Message)> Entries
    {
        get { lock (_gate) return [.. _entries]; }
    }

    public IEnumerable<(LogLevel Level, EventId Id, string Message)> Problems => Entries.Where(e => e.Level >= LogLevel.Warning);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate) _entries.Add((logLevel, eventId, formatter(state, exception) + (exception is null ? "" : " " + exception)));
    }
}
