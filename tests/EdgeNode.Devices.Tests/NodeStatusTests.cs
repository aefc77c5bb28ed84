using EdgeNode.Core.Tests;
using EdgeNode.Devices.Participants;

namespace EdgeNode.Devices.Tests;

public class NodeStatusTests
{
    private static string Write(TempDir dir, string relative, string content)
    {
        var path = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void Report_PiLikeSystemFiles_EveryLineFromThem()
    {
        using var root = new TempDir();
        Write(root, "sys/class/thermal/thermal_zone0/type", "acpitz\n");
        Write(root, "sys/class/thermal/thermal_zone0/temp", "30000\n");
        Write(root, "sys/class/thermal/thermal_zone1/type", "cpu-thermal\n");
        Write(root, "sys/class/thermal/thermal_zone1/temp", "48312\n");
        Write(root, "proc/loadavg", "0.52 0.31 0.20 2/211 5123\n");
        Write(root, "proc/meminfo", "MemTotal:        3884096 kB\nMemFree:          120000 kB\nMemAvailable:    1048576 kB\n");
        Write(root, "proc/uptime", "93784.12 350000.00\n");
        var status = new NodeStatus(root.Path, root.Path, TimeProvider.System);

        var report = status.Report(new NodeCounts(XmppClients: 2, MqttClients: 5, MatrixSessions: 1, Devices: 4, DevicesOnline: 3));

        var lines = report.Split('\n');
        Assert.Equal("CPU temperature: 48.3 °C", lines[0]);
        Assert.Equal("Load: 0.52 0.31 0.20 (1, 5, 15 min)", lines[1]);
        Assert.Equal("Memory: 1.0 GiB of 3.7 GiB available", lines[2]);
        Assert.Matches(@"^Disk: \d+(\.\d)? [KMG]iB free for the data folder$", lines[3]);
        Assert.Matches(@"^Uptime: node \d+ s, system 1 d 2 h$", lines[4]);
        Assert.Equal("Clients: XMPP 2, MQTT 5, Matrix 1 signed in", lines[5]);
        Assert.Equal("Devices: 3 of 4 online", lines[6]);
    }

    [Fact]
    public void Report_NoSystemFiles_SaysNotAvailableInsteadOfFailing()
    {
        using var root = new TempDir();
        var status = new NodeStatus(root.Path, Path.Combine(root.Path, "no-such-folder"), TimeProvider.System);

        var report = status.Report(new NodeCounts(0, 0, null, 0, 0));

        Assert.Contains("CPU temperature: not available", report, StringComparison.Ordinal);
        Assert.Contains("Load: not available", report, StringComparison.Ordinal);
        Assert.Contains("Memory: not available", report, StringComparison.Ordinal);
        Assert.Contains("Matrix not available", report, StringComparison.Ordinal);
        Assert.Null(status.CpuTemperature());
    }

    [Fact]
    public void CpuTemperature_NoCpuZone_TakesTheFirstReadableZone()
    {
        using var root = new TempDir();
        Write(root, "sys/class/thermal/thermal_zone0/temp", "garbage\n");
        Write(root, "sys/class/thermal/thermal_zone1/type", "acpitz\n");
        Write(root, "sys/class/thermal/thermal_zone1/temp", "-1500\n");

        Assert.Equal(-1.5, new NodeStatus(root.Path, root.Path, TimeProvider.System).CpuTemperature());
    }

    [Theory]
    [InlineData(512L * 1024, "512 KiB")]
    [InlineData(300L * 1024 * 1024, "300 MiB")]
    [InlineData(5L * 1024 * 1024 * 1024 + 512L * 1024 * 1024, "5.5 GiB")]
    public void Size_Bytes_HumanUnits(long bytes, string expected) => Assert.Equal(expected, NodeStatus.Size(bytes));
}
