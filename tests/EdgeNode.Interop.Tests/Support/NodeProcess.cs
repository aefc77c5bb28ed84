using System.Net.Sockets;
using System.Text;
using EdgeNode.Cli;

namespace EdgeNode.Interop.Tests.Support;

/// <summary>
/// A whole EdgeNode as a child process (the `edgenode` program beside the test assembly) on loopback with its own
/// data directory and free ports, ready once it has sent READY=1. Unlike <see cref="TestNode"/>, it can be killed with
/// SIGKILL, as a power cut would, and started again on the same data directory and ports.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string[] _args;
    private readonly StringBuilder _history = new();
    private Peer? _process;

    private NodeProcess(string domain, IEnumerable<string> settings)
    {
        Domain = domain;
        DataDir = Directory.CreateTempSubdirectory("edgenode-process-").FullName;
        Ports = TestNode.PortKeys.Zip(TestNode.FreePorts(Address, TestNode.PortKeys.Length)).ToDictionary(p => p.First, p => p.Second);
        _args = [$"--Node:DataDir={DataDir}", $"--Node:Domain={domain}", $"--Node:ListenAddresses={Address}",
            .. Ports.Select(p => $"--{p.Key}={p.Value}"), .. settings];
    }

    public string Domain { get; }
    public string DataDir { get; }
    public string Address => "127.0.0.1";
    public IReadOnlyDictionary<string, int> Ports { get; }

    public int Port(string key) => Ports[key];

    /// <summary>What every run of the node printed so far (for failure messages).</summary>
    public string Output => _history + (_process is { } p ? $"--- stdout ---\n{p.Out}\n--- stderr ---\n{p.Error}" : "");

    /// <summary>
    /// Makes a node's data directory; <paramref name="prepare"/> runs verbs on it (accounts, grants) before the first
    /// start, and <paramref name="settings"/> are extra `--Section:Key=value` options.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(string domain, Func<NodeProcess, Task>? prepare, params string[] settings)
    {
        var node = new NodeProcess(domain, settings);
        try
        {
            if (prepare is not null) await prepare(node);
            await node.RunAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a verb in this process against the node's configuration (stdin given); fails on a non-zero exit.</summary>
    public async Task<string> VerbAsync(string stdin, params string[] words)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(new StringReader(stdin), output, error, Interactive: false);
        var code = await EdgeNodeCli.RunAsync([.. words, .. _args], new Dictionary<string, string>(), io, CancellationToken.None);
        Assert.True(code == 0, $"{string.Join(' ', words)} exited with {code}: {error}");
        return output.ToString();
    }

    /// <summary>SIGKILL: the node dies at once, mid-write if it was writing, with no goodbye to anyone.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("the node is not running");
        process.Kill();
        var result = await process.WaitAsync(TimeSpan.FromSeconds(30));
        _history.Append($"--- run ended by SIGKILL (exit {result.ExitCode}) ---\n{result.Out}\n{result.Error}\n");
        await process.DisposeAsync();
        _process = null;
    }

    /// <summary>Starts the node again on the same data directory and ports (after <see cref="KillAsync"/>).</summary>
    public Task RestartAsync() =>
        _process is null ? RunAsync() : throw new InvalidOperationException("the node is still running");

    private async Task RunAsync()
    {
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var socketName = "\0edgenode-process-" + Guid.NewGuid().ToString("N");
        notify.Bind(new UnixDomainSocketEndPoint(socketName));
        var program = Peer.Require(Path.Combine(AppContext.BaseDirectory, "edgenode"), "the EdgeNode build (src/EdgeNode)");
        _process = Peer.Start(program, ["run", .. _args], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "@" + socketName[1..] });

        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            var receive = notify.ReceiveAsync(buffer, SocketFlags.None, waiting.Token).AsTask();
            var exited = _process.WaitForExitAsync(waiting.Token);
            var first = await Task.WhenAny(receive, exited);
            await waiting.CancelAsync();
            if (first == exited)
                throw new InvalidOperationException($"the node stopped (or was not ready in {StartTimeout.TotalSeconds:0} s):\n{Output}");
            var message = Encoding.UTF8.GetString(buffer, 0, await receive);
            // STATUS= lines may come first; READY=1 is what counts.
            if (message.Split('\n').Contains("READY=1")) return;
        }
    }

    /// <summary>Stops the node with SIGTERM (if running) and deletes its data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            await process.StopAsync(TimeSpan.FromSeconds(30));
            await process.DisposeAsync();
            _process = null;
        }
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}
