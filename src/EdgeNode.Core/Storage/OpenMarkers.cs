using System.Collections.Concurrent;

namespace EdgeNode.Core.Storage;

/// <summary>
/// How the store knows whether the database was closed cleanly. Every open store writes a marker file beside the
/// database, <c>edgenode.db.open-&lt;pid&gt;-&lt;n&gt;</c>, holding the boot ID and the process start time, and deletes it
/// when disposed. A marker whose process is gone (another boot, a dead process, or an instance of this process that
/// is no longer open) is what a crash, a kill or a power cut leaves behind: then the next open runs
/// <c>PRAGMA quick_check</c> first. Markers of live processes (the node while an <c>edgenode</c> verb runs) are left alone.
/// </summary>
internal static class OpenMarkers
{
    private const string BootIdPath = "/proc/sys/kernel/random/boot_id";
    private static readonly ConcurrentDictionary<string, byte> s_openHere = new(StringComparer.Ordinal);
    private static int s_sequence;

    private static string Prefix(string databasePath) => System.IO.Path.GetFileName(databasePath) + ".open-";

    /// <summary>Markers left by stores that were never closed.</summary>
    public static List<string> Stale(string databasePath)
    {
        var stale = new List<string>();
        var directory = System.IO.Path.GetDirectoryName(databasePath)!;
        if (!Directory.Exists(directory)) return stale;
        var bootId = BootId();
        foreach (var marker in Directory.EnumerateFiles(directory, Prefix(databasePath) + "*"))
        {
            if (!IsLive(marker, databasePath, bootId)) stale.Add(marker);
        }
        return stale;
    }

    /// <summary>Process ids of other live processes that have the database open now (the node, another verb).</summary>
    public static List<int> OpenElsewhere(string databasePath)
    {
        var pids = new List<int>();
        var directory = System.IO.Path.GetDirectoryName(databasePath)!;
        if (!Directory.Exists(directory)) return pids;
        var bootId = BootId();
        foreach (var marker in Directory.EnumerateFiles(directory, Prefix(databasePath) + "*"))
        {
            var name = System.IO.Path.GetFileName(marker).AsSpan(Prefix(databasePath).Length);
            var dash = name.IndexOf('-');
            if (dash > 0 && int.TryParse(name[..dash], out var pid) && pid != Environment.ProcessId && IsLive(marker, databasePath, bootId) && !pids.Contains(pid))
                pids.Add(pid);
        }
        return pids;
    }

    /// <summary>Writes this store's marker and returns its path.</summary>
    public static string Create(string databasePath)
    {
        var pid = Environment.ProcessId;
        var marker = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(databasePath)!,
            $"{Prefix(databasePath)}{pid}-{Interlocked.Increment(ref s_sequence)}");
        s_openHere[marker] = 0;
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var file = new StreamWriter(marker, options))
            file.Write($"{BootId()}\n{StartTime(pid)}\n");
        return marker;
    }

    /// <summary>Removes a marker: this store's own on a clean close, or stale ones once the database passed its check.</summary>
    public static void Delete(string marker)
    {
        s_openHere.TryRemove(marker, out _);
        try { File.Delete(marker); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static bool IsLive(string marker, string databasePath, string bootId)
    {
        var name = System.IO.Path.GetFileName(marker).AsSpan(Prefix(databasePath).Length);
        var dash = name.IndexOf('-');
        if (dash <= 0 || !int.TryParse(name[..dash], out var pid)) return false;
        if (pid == Environment.ProcessId) return s_openHere.ContainsKey(marker);
        string[] lines;
        try { lines = File.ReadAllLines(marker); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
        // Same boot and the same process (its pid with its start time, so a reused pid does not count) still running.
        return lines.Length >= 2 && lines[0] == bootId && lines[1].Length > 0 && lines[1] == StartTime(pid);
    }

    private static string BootId()
    {
        try { return File.ReadAllText(BootIdPath).Trim(); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat (start time in clock ticks since boot), or "" when the process is gone.</summary>
    private static string StartTime(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var rest = stat.AsSpan(stat.LastIndexOf(')') + 1).Trim();
        var field = 3;
        foreach (var range in rest.Split(' '))
        {
            if (field++ == 22) return rest[range].ToString();
        }
        return "";
    }
}
