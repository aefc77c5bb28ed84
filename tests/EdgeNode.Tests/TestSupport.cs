using System.Net;
using System.Net.Sockets;
using EdgeNode.Cli;

namespace EdgeNode.Tests;

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("edgenode-test-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs the `edgenode` command in this process with captured standard streams.</summary>
public sealed class CliRun
{
    public int ExitCode { get; private init; }
    public string Out { get; private init; } = "";
    public string Error { get; private init; } = "";

    public static async Task<CliRun> InvokeAsync(string[] args, string stdin = "", IReadOnlyDictionary<string, string>? environment = null, CancellationToken stop = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(new StringReader(stdin), output, error, Interactive: false);
        var code = await EdgeNodeCli.RunAsync(args, environment ?? new Dictionary<string, string>(), io, stop);
        return new CliRun { ExitCode = code, Out = output.ToString(), Error = error.ToString() };
    }

    public static CliRun Invoke(params string[] args) => InvokeAsync(args).GetAwaiter().GetResult();
}

public static class FreePorts
{
    /// <summary>Ports the kernel just handed out on loopback, released again for the node to take.</summary>
    public static int[] Take(int count)
    {
        var sockets = Enumerable.Range(0, count).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return s;
        }).ToArray();
        var ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        foreach (var s in sockets) s.Dispose();
        return ports;
    }

    /// <summary>Command-line overrides that put every listener of a node on loopback on free ports.</summary>
    public static (string[] Args, Dictionary<string, int> Ports) NodeArgs(string dataDir)
    {
        string[] keys = ["Xmpp:C2sPort", "Xmpp:C2sDirectTlsPort", "Xmpp:S2sPort", "Xmpp:S2sDirectTlsPort", "Http:Port", "Http:FederationPort", "Mqtt:Port", "Mqtt:TlsPort"];
        var ports = Take(keys.Length);
        var map = keys.Zip(ports).ToDictionary(p => p.First, p => p.Second);
        var args = new List<string> { $"--Node:DataDir={dataDir}", "--Node:ListenAddresses=127.0.0.1" };
        args.AddRange(map.Select(p => $"--{p.Key}={p.Value}"));
        return (args.ToArray(), map);
    }
}
