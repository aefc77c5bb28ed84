using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace EdgeNode.LoadGen;

/// <summary>
/// `footprint -- COMMAND ARGS...`: starts a server, times exec to the moment every listed port accepts, waits
/// idle, reads VmRSS, then stops it with SIGTERM (SIGKILL after 10 s). The harness owns the process from start
/// to end, so the time includes nothing of the shell's.
/// </summary>
internal static partial class Footprint
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    public static async Task<ScenarioResult> RunAsync(Args args, IReadOnlyList<string> command)
    {
        string label = args.Str("label", "server");
        var host = IPAddress.Parse(args.Str("host", "127.0.0.1"));
        int[] ports = args.Str("ports", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        string? binary = args.OptionalStr("binary");
        // Prosody is Lua code plus an interpreter, not one file: bench.sh passes the sum it measured.
        long? binaryBytes = args.OptionalStr("binary-bytes") is { } b ? long.Parse(b, System.Globalization.CultureInfo.InvariantCulture) : null;
        string log = args.Str("log", "/dev/null");
        double idle = args.Double("idle-seconds", 2);
        double timeout = args.Double("timeout", 30);
        string? version = args.OptionalStr("version");
        args.RejectUnknown();
        if (command.Count == 0 || ports.Length == 0) throw new UsageException("footprint needs --ports and a command after --");

        // The shell only redirects the output and then is replaced by the server (exec): the pid is the server's.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LOADGEN_LOG\" 2>&1 </dev/null");
        foreach (string part in command) start.ArgumentList.Add(part);
        start.Environment["LOADGEN_LOG"] = log;
        long t0 = Clock.Now;
        using Process process = Process.Start(start) ?? throw new IOException("could not start " + command[0]);
        try
        {
            var pending = new HashSet<int>(ports);
            long deadline = Clock.After(t0, timeout);
            while (pending.Count > 0)
            {
                if (process.HasExited) throw new IOException($"{command[0]} exited with {process.ExitCode} before its listeners were up (log: {log})");
                if (Clock.Now > deadline) throw new IOException($"ports {string.Join(',', pending)} not ready after {timeout} s (log: {log})");
                foreach (int port in pending.ToArray())
                {
                    using var s = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        s.Connect(new IPEndPoint(host, port));
                        pending.Remove(port);
                    }
                    catch (SocketException)
                    {
                        // Not listening yet.
                    }
                }

                if (pending.Count > 0) await Task.Delay(2);
            }

            double readyMs = Clock.Seconds(t0, Clock.Now) * 1000;
            await Task.Delay(TimeSpan.FromSeconds(idle));
            var probe = new ServerProbe(process.Id);
            return new ScenarioResult
            {
                Scenario = "footprint", System = label, ReadyMs = Math.Round(readyMs, 1), RssAfterKib = probe.RssKib(), HwmKib = probe.HwmKib(),
                RssAnonKib = probe.StatusKib("RssAnon"), RssFileKib = probe.StatusKib("RssFile"),
                BinaryBytes = binaryBytes ?? (binary is null ? null : new FileInfo(binary).Length), Version = version,
            };
        }
        finally
        {
            if (!process.HasExited)
            {
                _ = kill(process.Id, 15);
                if (!process.WaitForExit(10_000)) process.Kill();
                process.WaitForExit();
            }
        }
    }

    internal static bool IsLinux => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
}
