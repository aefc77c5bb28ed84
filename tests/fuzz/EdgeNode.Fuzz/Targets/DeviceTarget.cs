using System.Text;
using EdgeNode.Core.Devices;
using EdgeNode.Devices;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// One device convention's payload parser, fed a sequence of MQTT messages (records separated by 0x1E, each
/// "topic LF payload"). <see cref="ConventionAdapter.Handle"/> logs and drops whatever it cannot read; the target
/// watches that log, and an exception other than the expected "malformed payload" kinds (JSON, format) is a crash.
/// </summary>
internal static class DeviceTarget
{
    public static FuzzTarget For(Func<DeviceRegistry, ILogger, ConventionAdapter> create) => new(input => Check(input, create));

    private static void Check(ReadOnlySpan<byte> input, Func<DeviceRegistry, ILogger, ConventionAdapter> create)
    {
        var registry = new DeviceRegistry(_ => false);
        var logger = new ThrowingLogger();
        ConventionAdapter adapter = create(registry, logger);
        foreach (ReadOnlyMemory<byte> record in Records(input.ToArray()))
        {
            int newline = record.Span.IndexOf((byte)'\n');
            string topic = Encoding.UTF8.GetString(newline < 0 ? record.Span : record.Span[..newline]);
            ReadOnlyMemory<byte> payload = newline < 0 ? ReadOnlyMemory<byte>.Empty : record[(newline + 1)..];
            adapter.Handle(topic, payload, retained: false);
        }

        foreach (Device device in registry.All)
        {
            PropertyViolationException.ThrowIfNot(device.Localpart.Length > 0, "a device has an empty localpart");
        }
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Records(byte[] input)
    {
        int start = 0;
        for (int i = 0; i <= input.Length; i++)
        {
            if (i == input.Length || input[i] == 0x1E)
            {
                yield return input.AsMemory(start, i - start);
                start = i + 1;
            }
        }
    }

    /// <summary>Rethrows, wrapped, any exception an adapter logs that is not a malformed-payload one.</summary>
    private sealed class ThrowingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is null or System.Text.Json.JsonException or FormatException or DecoderFallbackException) return;
            throw new PropertyViolationException($"an adapter failed with {exception.GetType().Name}: {formatter(state, exception)}\n{exception}");
        }
    }
}
