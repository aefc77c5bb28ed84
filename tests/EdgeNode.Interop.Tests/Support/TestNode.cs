using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeNode.Cli;

namespace EdgeNode.Interop.Tests.Support;

/// <summary>
/// A whole EdgeNode started in this process on loopback with its own data directory and free ports, ready once it
/// has sent READY=1 on its notify socket (every listener bound). Accounts are made with the `user add` verb.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    internal static readonly string[] PortKeys = ["Xmpp:C2sPort", "Xmpp:C2sDirectTlsPort", "Xmpp:S2sPort", "Xmpp:S2sDirectTlsPort", "Http:Port", "Http:FederationPort", "Mqtt:Port", "Mqtt:TlsPort"];

    private CancellationTokenSource _stop = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private string[] _baseArgs;
    private Task<int>? _run;

    public string Domain { get; private set; }
    public string DataDir { get; }
    public string Address { get; }
    public IReadOnlyDictionary<string, int> Ports { get; }

    private TestNode(string domain, string address, IEnumerable<string> settings)
    {
        Domain = domain;
        Address = address;
        DataDir = Directory.CreateTempSubdirectory("edgenode-interop-").FullName;
        Ports = PortKeys.Zip(FreePorts(address, PortKeys.Length)).ToDictionary(p => p.First, p => p.Second);
        _baseArgs = [$"--Node:DataDir={DataDir}", $"--Node:Domain={domain}", $"--Node:ListenAddresses={address}",
            .. Ports.Select(p => $"--{p.Key}={p.Value}"), .. settings];
    }

    public int Port(string key) => Ports[key];

    /// <summary>Starts a node; <paramref name="settings"/> are extra `--Section:Key=value` options.</summary>
    public static async Task<TestNode> StartAsync(string domain = "localhost", string address = "127.0.0.1", params string[] settings)
    {
        var node = new TestNode(domain, address, settings);
        await node.RunAsync();
        return node;
    }

    private async Task RunAsync()
    {
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var socketName = "\0edgenode-interop-" + Guid.NewGuid().ToString("N");
        notify.Bind(new UnixDomainSocketEndPoint(socketName));
        var env = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "@" + socketName[1..] };
        var io = new CliIo(new StringReader(""), _out, _error, Interactive: false);
        _run = Task.Run(() => EdgeNodeCli.RunAsync(["run", .. _baseArgs], env, io, _stop.Token));

        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var receive = notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
        var first = await Task.WhenAny(receive, _run);
        if (first == _run)
            throw new InvalidOperationException($"the node stopped before it was ready (exit {await _run}): {_error}");
        var message = Encoding.UTF8.GetString(buffer, 0, await receive);
        if (message != "READY=1") throw new InvalidOperationException($"the node sent {message} instead of READY=1");
    }

    /// <summary>Stops the node (exit code 0 expected), runs <paramref name="between"/> (verbs on the stopped node's
    /// data), then starts it again on the same data and ports with Node:Domain <paramref name="domain"/>.</summary>
    public async Task RestartAsync(string domain, Func<Task>? between = null)
    {
        _stop.Cancel();
        var code = await _run!.WaitAsync(TimeSpan.FromSeconds(30));
        if (code != 0) throw new InvalidOperationException($"the node exited with {code}: {_error}");
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        _baseArgs = _baseArgs.Select(a => a.StartsWith("--Node:Domain=", StringComparison.Ordinal) ? $"--Node:Domain={domain}" : a).ToArray();
        Domain = domain;
        if (between is not null) await between();
        await RunAsync();
    }

    /// <summary>Creates an account the way an operator does: `edgenode user add JID` with the password on stdin.</summary>
    public async Task AddUserAsync(string localpart, string password)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(new StringReader(password + "\n"), output, error, Interactive: false);
        var code = await EdgeNodeCli.RunAsync(["user", "add", $"{localpart}@{Domain}", .. _baseArgs], new Dictionary<string, string>(), io, CancellationToken.None);
        if (code != 0) throw new InvalidOperationException($"user add {localpart} failed ({code}): {error}");
    }

    /// <summary>Runs another verb against this node's configuration (stdin given), returning exit code and output.</summary>
    public async Task<(int ExitCode, string Out, string Error)> VerbAsync(string stdin, params string[] words)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(new StringReader(stdin), output, error, Interactive: false);
        var code = await EdgeNodeCli.RunAsync([.. words, .. _baseArgs], new Dictionary<string, string>(), io, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>What the node wrote to its standard error (start-up failures).</summary>
    public string ErrorOutput => _error.ToString();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_run is not null)
        {
            var code = await _run.WaitAsync(TimeSpan.FromSeconds(30));
            if (code != 0) throw new InvalidOperationException($"the node exited with {code}: {_error}");
        }
        _stop.Dispose();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }

    internal static int[] FreePorts(string address, int count)
    {
        var sockets = Enumerable.Range(0, count).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            return s;
        }).ToArray();
        var ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        foreach (var s in sockets) s.Dispose();
        return ports;
    }
}
