using System.Globalization;
using System.Net;

namespace EdgeNode.Core.Dns;

/// <summary>The parts of /etc/resolv.conf (resolv.conf(5)) a stub resolver needs: servers, timeout, attempts.</summary>
public sealed record ResolvConf(IReadOnlyList<IPEndPoint> Servers, TimeSpan Timeout, int Attempts)
{
    public const string DefaultPath = "/etc/resolv.conf";

    public static ResolvConf Load(string path = DefaultPath) =>
        File.Exists(path) ? Parse(File.ReadAllText(path)) : Parse("");

    public static ResolvConf Parse(string text)
    {
        var servers = new List<IPEndPoint>();
        var timeout = TimeSpan.FromSeconds(5);
        var attempts = 2;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#', ';')[0].Trim();
            var words = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2) continue;
            if (words[0] == "nameserver")
            {
                var address = words[1].Split('%')[0];
                if (IPAddress.TryParse(address, out var ip) && servers.Count < 3) servers.Add(new IPEndPoint(ip, 53));
            }
            else if (words[0] == "options")
            {
                foreach (var option in words.Skip(1))
                {
                    if (option.StartsWith("timeout:", StringComparison.Ordinal) && int.TryParse(option[8..], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                        timeout = TimeSpan.FromSeconds(Math.Clamp(t, 1, 30));
                    else if (option.StartsWith("attempts:", StringComparison.Ordinal) && int.TryParse(option[9..], NumberStyles.None, CultureInfo.InvariantCulture, out var a))
                        attempts = Math.Clamp(a, 1, 5);
                }
            }
        }
        // With no nameserver line the C library asks the local machine; so do we.
        if (servers.Count == 0) servers.Add(new IPEndPoint(IPAddress.Loopback, 53));
        return new ResolvConf(servers, timeout, attempts);
    }
}
