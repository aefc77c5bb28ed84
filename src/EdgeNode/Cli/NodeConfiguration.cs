using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Cli;

/// <summary>Builds the configuration from its three sources, later ones winning: the JSON file, EDGENODE_ variables, the command line.</summary>
public static class NodeConfiguration
{
    public const string DefaultFile = "edgenode.json";

    /// <summary>How the start-up line and the verbs name "no file".</summary>
    public const string NoFile = "none (embedded defaults)";
    private const string EnvironmentPrefix = "EDGENODE_";

    public static IConfigurationRoot Build(string? configPath, IReadOnlyList<string> overrides, IReadOnlyDictionary<string, string> environment)
    {
        var builder = new ConfigurationBuilder();
        var file = configPath ?? FileUsed(null);
        if (file is not null)
        {
            var full = Path.GetFullPath(file);
            if (!File.Exists(full)) throw new Core.Configuration.ConfigurationErrorException([$"--config: no file at '{file}'"]);
            // Parse once ourselves: the JSON provider's own error does not say where the mistake is.
            try
            {
                using var _ = JsonDocument.Parse(File.ReadAllBytes(full), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException e)
            {
                throw new Core.Configuration.ConfigurationErrorException([$"{file}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}"]);
            }
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in environment)
        {
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                fromEnvironment[name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = value;
        }
        builder.AddInMemoryCollection(fromEnvironment);
        builder.AddCommandLine(overrides.ToArray());
        return builder.Build();
    }

    /// <summary>The full path of the file the configuration is read from, or null when there is none (embedded defaults).</summary>
    public static string? FileUsed(string? configPath) =>
        configPath is not null ? Path.GetFullPath(configPath) : File.Exists(DefaultFile) ? Path.GetFullPath(DefaultFile) : null;

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
