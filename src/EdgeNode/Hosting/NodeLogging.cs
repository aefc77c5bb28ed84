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
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
            o.UseUtcTimestamp = true;
        });
    }
}
