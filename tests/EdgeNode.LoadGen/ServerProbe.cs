using System.Globalization;
using System.Runtime.InteropServices;

namespace EdgeNode.LoadGen;

/// <summary>
/// Reads the server's CPU time and memory from /proc, so the harness measures the process under test from
/// outside, the same way for EdgeNode, Prosody and Mosquitto. A missing pid (0) makes every figure null.
/// </summary>
internal sealed partial class ServerProbe : IAsyncDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private Task? _sampler;
    private long _peakKib;

    public ServerProbe(int pid) => _pid = pid;

    private static readonly double TicksPerSecond = ReadClockTicks();

    /// <summary>utime + stime of the server in seconds.</summary>
    public double? CpuSeconds()
    {
        if (_pid <= 0) return null;
        string stat = File.ReadAllText($"/proc/{_pid}/stat");
        // The command name in parentheses may hold spaces; the fields after the last ')' are fixed:
        // state is field 3, utime field 14 and stime field 15 of the whole line.
        string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(rest[11], CultureInfo.InvariantCulture);
        long stime = long.Parse(rest[12], CultureInfo.InvariantCulture);
        return (utime + stime) / TicksPerSecond;
    }

    public long? StatusKib(string field)
    {
        if (_pid <= 0) return null;
        foreach (string line in File.ReadLines($"/proc/{_pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal) && line.Length > field.Length && line[field.Length] == ':')
            {
                string[] parts = line[(field.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    public long? RssKib() => StatusKib("VmRSS");

    public long? HwmKib() => StatusKib("VmHWM");

    public bool IsAlive => _pid <= 0 || Directory.Exists($"/proc/{_pid}");

    /// <summary>Samples VmRSS every 100 ms from now on; <see cref="PeakKib"/> is the largest seen (VmHWM also counts start-up and login).</summary>
    public void StartSampling()
    {
        if (_pid <= 0) return;
        _sampler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    long rss = RssKib() ?? 0;
                    if (rss > _peakKib) _peakKib = rss;
                    await Task.Delay(100, _stop.Token);
                }
                catch (OperationCanceledException) { break; }
                catch (IOException) { break; }
            }
        });
    }

    public long? PeakKib => _pid <= 0 ? null : Math.Max(_peakKib, RssKib() ?? 0);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_sampler is not null) await _sampler;
        _stop.Dispose();
    }

    private static double ReadClockTicks()
    {
        long ticks = Native.sysconf(Native.SC_CLK_TCK);
        return ticks > 0 ? ticks : 100;
    }
}

/// <summary>The two libc calls the harness needs: the clock tick of /proc figures and the open-file limit.</summary>
internal static partial class Native
{
    public const int SC_CLK_TCK = 2;
    private const int RLIMIT_NOFILE = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    internal static partial long sysconf(int name);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    /// <summary>
    /// Makes room for <paramref name="needed"/> open files (thousands of idle connections need one each). Raising
    /// the hard limit works as root; otherwise the soft limit goes as high as the hard one allows. Returns the limit now in force.
    /// </summary>
    public static ulong RaiseOpenFileLimit(ulong needed)
    {
        if (getrlimit(RLIMIT_NOFILE, out RLimit limit) != 0) return 0;
        if (limit.Current >= needed) return limit.Current;
        var wanted = new RLimit { Current = needed, Maximum = Math.Max(limit.Maximum, needed) };
        if (setrlimit(RLIMIT_NOFILE, wanted) == 0) return needed;
        var capped = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
        return setrlimit(RLIMIT_NOFILE, capped) == 0 ? limit.Maximum : limit.Current;
    }
}
