using System.Net.Sockets;
using System.Text;

namespace EdgeNode.Tests.Hosting;

/// <summary>A datagram socket standing in for the service manager's notification socket.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    /// <summary>The value NOTIFY_SOCKET takes for this socket.</summary>
    public string Name { get; }

    public NotifySocket(bool isAbstract = false)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        if (isAbstract)
        {
            Name = "@edgenode-test-" + id;
            _socket.Bind(new UnixDomainSocketEndPoint("\0edgenode-test-" + id));
        }
        else
        {
            Name = Path.Combine(Path.GetTempPath(), $"edgenode-notify-{id}.sock");
            _socket.Bind(new UnixDomainSocketEndPoint(Name));
        }
    }

    public async Task<string> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (!Name.StartsWith('@')) File.Delete(Name);
    }
}
