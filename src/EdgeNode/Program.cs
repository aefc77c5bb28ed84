using System.Collections;
using EdgeNode.Cli;

var environment = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
    environment[(string)entry.Key] = entry.Value as string ?? "";

var io = new CliIo(Console.In, Console.Out, Console.Error, Interactive: !Console.IsInputRedirected);
return await EdgeNodeCli.RunAsync(args, environment, io, CancellationToken.None);
