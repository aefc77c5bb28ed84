using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Hosting;

/// <summary>
/// The service manager's notification protocol (sd_notify): one datagram per state change, written to the Unix
/// socket named by NOTIFY_SOCKET. A leading '@' names a socket in the abstract namespace.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly TaskCompletionSource _readySent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SystemdNotifier(string socketName)
    {
        var path = socketName.StartsWith('@') ? "\0" + socketName[1..] : socketName;
        _endPoint = new UnixDomainSocketEndPoint(path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>The notifier the environment asks for, or null when the node was not started by a service manager.</summary>
    public static SystemdNotifier? FromEnvironment(IReadOnlyDictionary<string, string> environment) =>
        environment.TryGetValue("NOTIFY_SOCKET", out var name) && name.Length > 0 ? new SystemdNotifier(name) : null;

    /// <summary>
    /// The watchdog interval the service manager asked for, halved as it recommends; null when no watchdog is
    /// set or when it is meant for another process (WATCHDOG_PID).
    /// </summary>
    public static TimeSpan? WatchdogInterval(IReadOnlyDictionary<string, string> environment, int processId)
    {
        if (!environment.TryGetValue("WATCHDOG_USEC", out var text) || !long.TryParse(text, out var usec) || usec <= 0) return null;
        if (environment.TryGetValue("WATCHDOG_PID", out var pid) && pid.Length > 0 && pid != processId.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
        return TimeSpan.FromTicks(usec * 10 / 2);
    }

    /// <summary>Completes once READY=1 has been sent: nothing else (the watchdog above all) may be said before it.</summary>
    public Task ReadySent => _readySent.Task;

    public void Ready()
    {
        Send("READY=1");
        _readySent.TrySetResult();
    }

    public void Stopping() => Send("STOPPING=1");
    public void Watchdog() => Send("WATCHDOG=1");
    public void Status(string text) => Send("STATUS=" + text);

    public void Send(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endPoint);
        }
        catch (SocketException)
        {
            // The service manager went away or never listened: nothing the node can do, and no reason to stop.
        }
    }

    public void Dispose() => _socket.Dispose();
}
