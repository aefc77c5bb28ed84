using System.Threading.Channels;
using EdgeNode.Core.Devices;
using EdgeNode.Matrix;
using EdgeNode.Matrix.DeviceUsers;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Devices.Wiring;

/// <summary>
/// Devices in Matrix: what the device service says over XMPP is said in each person's direct room with the device
/// (as <c>m.notice</c>), the device user's presence follows the device, and what people write in those rooms is
/// handed to the device service as a chat message from them, answered in the room. Room writes happen on this
/// channel's own loop, so a slow database write never holds up the device service.
/// </summary>
internal sealed class MatrixDeviceChannel : IDeviceChannel, IDisposable
{
    private readonly Homeserver _server;
    private readonly DeviceChatService _devices;
    private readonly ILogger _logger;
    private readonly Channel<Action> _work = Channel.CreateBounded<Action>(new BoundedChannelOptions(1024)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly Task _loop;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (bool Online, string Name)> _shown = new(StringComparer.Ordinal);
    // People with no Matrix device yet (forgotten when they log in): readings for them are not even queued.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _notOnMatrix = new(StringComparer.Ordinal);
    // Used on the loop only: rooms known to be open.
    private readonly HashSet<(string Localpart, string Person)> _opened = [];

    public MatrixDeviceChannel(Homeserver server, DeviceChatService devices, ILogger logger)
    {
        _server = server;
        _devices = devices;
        _logger = logger;
        server.DeviceRooms.MessageToDevice += OnMessage;
        server.DeviceRooms.PersonLoggedIn += OnLoggedIn;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Presence and name; and each person's room with the device, opened on first sight if they use Matrix.</summary>
    public void Show(Device device, string status, IReadOnlyList<string> people)
    {
        string localpart = device.Localpart;
        string name = device.DisplayName;
        bool online = device.Availability is DeviceAvailability.Online;
        // Matrix presence follows availability; its status line changes with every reading, which would be a stored
        // presence update per reading, so it is refreshed only when the device comes or goes (or is renamed).
        if (!_shown.TryGetValue(localpart, out var last) || last != (online, name))
        {
            _shown[localpart] = (online, name);
            Queue(() => _server.DeviceRooms.Show(localpart, name, online, status.Length == 0 ? null : status));
        }

        foreach (string person in people)
        {
            if (TryUserId(person, out string userId)) Queue(() => EnsureRoom(localpart, name, userId));
        }
    }

    public void Say(Device device, string person, string text)
    {
        if (!TryUserId(person, out string userId) || _notOnMatrix.ContainsKey(userId)) return;
        string localpart = device.Localpart;
        string name = device.DisplayName;
        Queue(() => _server.DeviceRooms.Say(localpart, name, userId, text));
    }

    /// <summary>Someone logged in to Matrix: the devices they may read open their rooms with them (if not yet open).</summary>
    private void OnLoggedIn(string userId)
    {
        if (_server.Devices is not { } registry) return;
        _notOnMatrix.TryRemove(userId, out _);
        Queue(() => _opened.RemoveWhere(pair => pair.Person == userId));
        foreach (Device device in registry.All)
        {
            if (!_server.DeviceRooms.MayRead(device, userId)) continue;
            string localpart = device.Localpart;
            string name = device.DisplayName;
            Queue(() => EnsureRoom(localpart, name, userId));
        }
    }

    // On the channel's loop only: Show runs for every reading, and the answer rarely changes.
    private void EnsureRoom(string localpart, string name, string userId)
    {
        if (_notOnMatrix.ContainsKey(userId) || _opened.Contains((localpart, userId))) return;
        if (_server.DeviceRooms.EnsureRoom(localpart, name, userId) is null) _notOnMatrix.TryAdd(userId, 0);
        else _opened.Add((localpart, userId));
    }

    private void OnMessage(DeviceRoomMessage message)
    {
        if (_server.AccountOf(message.SenderUserId) is not { } from) return;
        var device = _server.Devices?.FindByLocalpart(message.DeviceLocalpart);
        string name = device?.DisplayName ?? message.DeviceLocalpart;
        _devices.EnqueueFromChannel(message.DeviceLocalpart, from, message.Body,
            reply => Queue(() => _server.DeviceRooms.Say(message.DeviceLocalpart, name, message.SenderUserId, reply)));
    }

    /// <summary>A local bare address as the Matrix user of the same account; false for other domains.</summary>
    private bool TryUserId(string person, out string userId)
    {
        userId = person.Contains('@', StringComparison.Ordinal) ? Homeserver.UserIdOfAccount(person) : "";
        return _server.LocalPart(userId) is not null;
    }

    private void Queue(Action work)
    {
        if (!_work.Writer.TryWrite(work)) DevicesLog.MatrixQueueFull(_logger);
    }

    private async Task LoopAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                DevicesLog.WiringFailed(_logger, "a device's Matrix room", e);
            }
        }
    }

    public void Dispose()
    {
        _server.DeviceRooms.MessageToDevice -= OnMessage;
        _server.DeviceRooms.PersonLoggedIn -= OnLoggedIn;
        _work.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
