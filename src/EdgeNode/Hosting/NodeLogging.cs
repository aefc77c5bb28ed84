using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Hosting;

internal static class NodeLogging
{
    /// <summary>One line per event on the console (journald adds its own timestamps); levels from the Logging section.</summary>
    public static void Configure(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddConfiguration(configuration.GetSection("Logging"));
        if (NodeLogTap.Lines is { } tap) logging.AddProvider(new NodeLogTap.Provider(tap));
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
            o.UseUtcTimestamp = true;
        });
    }
}

/// <summary>
/// Where tests that run a whole node in their own process read its log ("level category[event]: message"); null, and
/// so not added, in the daemon.
/// </summary>
internal static class NodeLogTap
{
    public static Action<string>? Lines { get; set; }

    internal sealed class Provider(Action<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(string category, Action<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)}");
    }
}
