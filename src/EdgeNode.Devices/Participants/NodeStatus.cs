using System.Globalization;
using System.Text;

namespace EdgeNode.Devices.Participants;

/// <summary>What the node participant counts when asked for its status; Matrix is null when its tables cannot be read.</summary>
public sealed record NodeCounts(int XmppClients, int MqttClients, int? MatrixSessions, int Devices, int DevicesOnline);

/// <summary>
/// The node's health in a few lines, from the files Linux keeps about itself: CPU temperature from
/// /sys/class/thermal, load, memory and uptime from /proc, free space of the data folder's file system. A file that
/// is missing (a container, another OS) gives "not available" rather than an error. <paramref name="systemRoot"/>
/// is "/" on a real node; tests point it at a folder of fake files.
/// </summary>
public sealed class NodeStatus(string systemRoot, string dataDir, TimeProvider time)
{
    private readonly long _startedAt = time.GetTimestamp();

    public string Report(NodeCounts counts)
    {
        var text = new StringBuilder();
        text.Append("CPU temperature: ").Append(CpuTemperature() is { } celsius ? Format(celsius, "0.0") + " °C" : "not available").Append('\n');
        text.Append("Load: ").Append(Load() ?? "not available").Append('\n');
        text.Append("Memory: ").Append(Memory() ?? "not available").Append('\n');
        text.Append("Disk: ").Append(DiskFree() is { } free ? Size(free) + " free for the data folder" : "not available").Append('\n');
        text.Append("Uptime: node ").Append(Duration(time.GetElapsedTime(_startedAt)));
        if (SystemUptime() is { } system) text.Append(", system ").Append(Duration(system));
        text.Append('\n');
        text.Append("Clients: XMPP ").Append(counts.XmppClients).Append(", MQTT ").Append(counts.MqttClients);
        text.Append(", Matrix ").Append(counts.MatrixSessions is { } sessions ? sessions + " signed in" : "not available").Append('\n');
        text.Append("Devices: ").Append(counts.DevicesOnline).Append(" of ").Append(counts.Devices).Append(" online");
        return text.ToString();
    }

    /// <summary>Degrees Celsius of the CPU's zone (type cpu-thermal on a Pi, x86_pkg_temp on a PC), else of the first zone.</summary>
    public double? CpuTemperature()
    {
        var thermal = Path.Combine(systemRoot, "sys", "class", "thermal");
        if (!Directory.Exists(thermal)) return null;
        double? first = null;
        foreach (var zone in Directory.GetDirectories(thermal, "thermal_zone*").Order(StringComparer.Ordinal))
        {
            if (ReadFirstLine(Path.Combine(zone, "temp")) is not { } raw
                || !long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var millidegrees)) continue;
            var celsius = millidegrees / 1000.0;
            var type = ReadFirstLine(Path.Combine(zone, "type")) ?? "";
            if (type.Contains("cpu", StringComparison.OrdinalIgnoreCase) || type.Contains("pkg", StringComparison.OrdinalIgnoreCase)
                || type.Contains("soc", StringComparison.OrdinalIgnoreCase)) return celsius;
            first ??= celsius;
        }
        return first;
    }

    private string? Load()
    {
        var parts = ReadFirstLine(Path.Combine(systemRoot, "proc", "loadavg"))?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts is { Length: >= 3 } ? $"{parts[0]} {parts[1]} {parts[2]} (1, 5, 15 min)" : null;
    }

    private string? Memory()
    {
        var path = Path.Combine(systemRoot, "proc", "meminfo");
        if (!File.Exists(path)) return null;
        long? total = null, available = null;
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = Kilobytes(line);
                else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = Kilobytes(line);
            }
        }
        catch (IOException)
        {
            return null;
        }
        return total is { } t && available is { } a ? $"{Size(a * 1024)} of {Size(t * 1024)} available" : null;
    }

    private long? DiskFree()
    {
        try
        {
            // On Linux a DriveInfo of any path asks statvfs about the file system holding it.
            return new DriveInfo(Path.GetFullPath(dataDir)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private TimeSpan? SystemUptime()
    {
        var first = ReadFirstLine(Path.Combine(systemRoot, "proc", "uptime"))?.Split(' ')[0];
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds) : null;
    }

    private static long? Kilobytes(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb : null;
    }

    private static string? ReadFirstLine(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            using var reader = new StreamReader(path);
            return reader.ReadLine()?.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => Format(bytes / (double)(1L << 30), "0.0") + " GiB",
        >= 1L << 20 => Format(bytes / (double)(1L << 20), "0") + " MiB",
        _ => Format(bytes / 1024.0, "0") + " KiB",
    };

    public static string Duration(TimeSpan span) => span.TotalMinutes switch
    {
        < 1 => $"{(int)span.TotalSeconds} s",
        < 60 => $"{(int)span.TotalMinutes} min",
        < 1440 => $"{(int)span.TotalHours} h {span.Minutes} min",
        _ => $"{(int)span.TotalDays} d {span.Hours} h",
    };

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
