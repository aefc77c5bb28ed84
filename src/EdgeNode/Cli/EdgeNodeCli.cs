using System.Reflection;
using EdgeNode.Core.Configuration;
using EdgeNode.Core.Storage;
using EdgeNode.Hosting;
using Microsoft.Extensions.Configuration;

namespace EdgeNode.Cli;

/// <summary>The `edgenode` command: parses the verb, loads the configuration and runs the verb.</summary>
public static class EdgeNodeCli
{
    public static string Version { get; } =
        typeof(EdgeNodeCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, CliIo io, CancellationToken stop)
    {
        var command = CommandLine.Parse(args, out var problem);
        if (command is null)
        {
            io.Error.WriteLine($"edgenode: {problem}");
            io.Error.WriteLine("Run 'edgenode --help' for the verbs and options.");
            return ExitCodes.Usage;
        }
        switch (command.Verb)
        {
            case Verb.Version:
                io.Out.WriteLine($"edgenode {Version}");
                return ExitCodes.Ok;
            case Verb.Help:
                io.Out.WriteLine(CommandLine.Usage);
                return ExitCodes.Ok;
        }

        IConfigurationRoot configuration;
        NodeOptions options;
        try
        {
            configuration = NodeConfiguration.Build(command.ConfigPath, command.Overrides, environment);
            options = OptionsReader.Read(configuration);
        }
        catch (ConfigurationErrorException e)
        {
            if (command.Verb == Verb.CheckConfig)
            {
                foreach (var line in e.Problems) io.Error.WriteLine($"edgenode: configuration: {line}");
                io.Error.WriteLine($"edgenode: {e.Problems.Count} problem(s) found");
            }
            else
            {
                io.Error.WriteLine($"edgenode: configuration: {e.Message}");
            }
            return ExitCodes.Usage;
        }

        var file = NodeConfiguration.FileUsed(command.ConfigPath);
        if (UsesTheDatabase(command.Verb))
        {
            var dataDir = Path.GetFullPath(options.Node.DataDir);
            io.Error.WriteLine($"edgenode: configuration {file ?? NodeConfiguration.NoFile}, data directory {dataDir}");
            // A verb run in the wrong folder must not quietly make an empty database there: it may make one only
            // where the operator named the data directory (in a file, the environment or the command line).
            if (configuration["Node:DataDir"] is null && !File.Exists(Path.Combine(dataDir, Store.FileName)))
            {
                io.Error.WriteLine($"edgenode: no database at {Path.Combine(dataDir, Store.FileName)}, and no configuration names a data directory, so none is made here. " +
                    "Point the verb at the node's configuration (--config /etc/edgenode/edgenode.json) or data directory (--Node:DataDir PATH), or start the node once with 'edgenode run' in this folder.");
                return ExitCodes.Failure;
            }
        }

        try
        {
            return command.Verb switch
            {
                Verb.CheckConfig => CheckConfig(options, file, io),
                Verb.CheckDb => CheckDbCommand.Run(options, io),
                Verb.Run => await NodeHost.RunAsync(options, configuration, file, environment, io, stop),
                Verb.DeviceAdd or Verb.DevicePasswd or Verb.DeviceRemove or Verb.DeviceList or Verb.DeviceAllow or Verb.DeviceDisallow or Verb.DeviceAcl or Verb.DeviceOwner or Verb.DeviceOwnerRemove or Verb.DeviceOwnerList or Verb.DeviceCommander
                    => DeviceCommands.Run(command, options, io),
                Verb.FederationStatus or Verb.FederationCheck => await FederationCommands.RunAsync(command, options, io, stop),
                Verb.TlsShow => TlsCommands.Show(options, io),
                Verb.DomainRename => DomainCommands.Run(command, options, io),
                _ => UserCommands.Run(command, options, io),
            };
        }
        catch (StoreException e)
        {
            io.Error.WriteLine($"edgenode: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    private static bool UsesTheDatabase(Verb verb) => verb is not (Verb.Run or Verb.CheckConfig or Verb.CheckDb or Verb.TlsShow or Verb.Version or Verb.Help);

    private static int CheckConfig(NodeOptions options, string? file, CliIo io)
    {
        io.Out.WriteLine(file is null
            ? $"no configuration file (no --config, and no {NodeConfiguration.DefaultFile} in {Directory.GetCurrentDirectory()}): embedded defaults"
            : $"read {file}");
        io.Out.WriteLine($"configuration is valid: domain {options.Node.Domain}, data in {Path.GetFullPath(options.Node.DataDir)}, federation {options.Federation.Mode.ToString().ToLowerInvariant()}");
        foreach (var (key, port) in options.EnabledPorts()) io.Out.WriteLine($"  {key} = {port}");
        return ExitCodes.Ok;
    }
}
