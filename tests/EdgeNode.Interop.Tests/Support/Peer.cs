using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Interop.Tests.Support;

internal static partial class NativeSignals
{
    public const int SigTerm = 15;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}

/// <summary>The result of a peer program that ran to its end.</summary>
public sealed record PeerResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>
/// Real peer programs (mosquitto, prosody, python3 with slixmpp or paho, node with matrix-js-sdk) run as child
/// processes. A peer that is not installed fails the test with the package to install; nothing is skipped.
/// </summary>
public sealed class Peer : IAsyncDisposable
{
    /// <summary>Debian's python3, which has the python3-* packages (another python3 may come first on PATH).</summary>
    public const string Python = "/usr/bin/python3";

    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();

    private Peer(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Out { get { lock (_out) return _out.ToString(); } }
    public string Error { get { lock (_error) return _error.ToString(); } }

    /// <summary>Fails the test unless <paramref name="program"/> exists, naming the Debian or npm package that has it.</summary>
    public static string Require(string program, string package)
    {
        if (Path.IsPathRooted(program))
        {
            if (File.Exists(program)) return program;
        }
        else
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                         .Concat(["/usr/sbin", "/sbin", "/usr/bin"]))
            {
                var candidate = Path.Combine(dir, program);
                if (File.Exists(candidate)) return candidate;
            }
        }
        Assert.Fail($"the test peer '{program}' is not installed: install the package '{package}' (./test.sh installs it when run as root)");
        return program;
    }

    /// <summary>Starts a long-running peer; it is killed when disposed.</summary>
    public static Peer Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        var peer = new Peer(process);
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        return peer;
    }

    /// <summary>Runs a peer to its end (killed after <paramref name="timeout"/>) and returns what it printed.</summary>
    public static async Task<PeerResult> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, string? stdin = null, string? workingDirectory = null)
    {
        await using var peer = Start(program, args, environment, workingDirectory, stdin);
        return await peer.WaitAsync(timeout);
    }

    /// <summary>Runs a Python script that sits beside the tests (copied to the output folder) with Debian's python3.</summary>
    public static Task<PeerResult> PythonAsync(string script, IEnumerable<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync(Require(Python, "python3"), [Path.Combine(AppContext.BaseDirectory, script), .. args], timeout, environment);

    public async Task<PeerResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            return new PeerResult(-1, Out, Error + $"\n(killed after {timeout.TotalSeconds:0} s)");
        }
        await _process.WaitForExitAsync(); // drain the output events
        return new PeerResult(_process.ExitCode, Out, Error);
    }

    /// <summary>Waits until something accepts TCP connections on <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static async Task WaitForPortAsync(string host, int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Completes when the peer exits; unlike <see cref="WaitAsync"/>, it never kills it.</summary>
    public Task WaitForExitAsync(CancellationToken cancel) => _process.WaitForExitAsync(cancel);

    /// <summary>Sends SIGKILL: the peer's sockets die without a goodbye (a device losing power).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Sends SIGTERM and waits for the peer to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        _ = NativeSignals.Kill(_process.Id, NativeSignals.SigTerm);
        await WaitAsync(timeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
