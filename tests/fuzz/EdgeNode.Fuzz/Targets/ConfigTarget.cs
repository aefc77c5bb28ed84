using EdgeNode.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Fuzz.Targets;

/// <summary>
/// The configuration reader over a JSON configuration file (the same JSON provider the node's AddJsonFile uses, fed
/// from memory). Properties: a refused configuration names at least one problem; an accepted one reads the same twice.
/// </summary>
internal static class ConfigTarget
{
    // A file that is not JSON is refused by the JSON provider itself (JsonException; FormatException, InvalidDataException).
    public static FuzzTarget Target { get; } = new(Check, typeof(System.Text.Json.JsonException), typeof(FormatException), typeof(InvalidDataException));

    private static void Check(ReadOnlySpan<byte> input)
    {
        IConfiguration config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(input.ToArray())).Build();
        NodeOptions first;
        try
        {
            first = OptionsReader.Read(config);
        }
        catch (ConfigurationErrorException exception)
        {
            PropertyViolationException.ThrowIfNot(exception.Problems.Count > 0, "a configuration was refused without a problem named");
            return;
        }

        NodeOptions second = OptionsReader.Read(config);
        PropertyViolationException.ThrowIfNot(first.Node.Domain == second.Node.Domain && first.Mqtt.Port == second.Mqtt.Port,
            "one configuration read twice gives different options");
    }
}
