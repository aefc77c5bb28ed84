using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeNode.Core.Addressing;
using EdgeNode.Core.Devices;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// Devices in Matrix, as one more view of what the router carries (DESIGN.md "The one idea"): what a device says to
/// a person (readings, answers, events; routed with origin Device) is posted in the person's direct room with the
/// device as <c>m.notice</c> (<see cref="DeviceUsers.DeviceRooms"/>); the device user's name and presence follow the
/// device's published presence; and what a person writes in that room is routed to the device's address as a chat
/// message from the person's account, so the device service answers it as any chat, and the answer reaches the
/// person on every protocol through the router. Room writes happen on this bridge's own loop, never on the caller's
/// thread.
/// </summary>
public sealed class DeviceBridge : IDisposable
{
    private const int QueueLength = 1024;

    private readonly Homeserver _server;
    private readonly Router _router;
    private readonly Channel<Action> _work = Channel.CreateBounded<Action>(new BoundedChannelOptions(QueueLength)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly Task _loop;

    // Accounts (bare, lower case) that have had a Matrix device: the only people a device's words are queued for,
    // looked up from the router's span without allocating.
    private readonly ConcurrentDictionary<string, byte> _matrixPeople = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> _matrixLookup;

    // What each device user shows now (deduplicated: a presence is published for every reading's status line).
    private readonly ConcurrentDictionary<string, (bool Online, string Name)> _shown = new(StringComparer.Ordinal);

    // Rooms known to be open; a person who logs in is checked again.
    private readonly ConcurrentDictionary<(string Localpart, string UserId), byte> _opened = new();
    private int _behind;

    public DeviceBridge(Homeserver server, Router router)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(router);
        _server = server;
        _router = router;
        DevicesDomain = router.Domain;
        _matrixLookup = _matrixPeople.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (string userId in server.Read(UsersWithDevices))
        {
            if (server.AccountOf(userId) is { } account)
            {
                _matrixPeople.TryAdd(account.ToLowerInvariant(), 0);
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The domain of devices' addresses (Devices:Subdomain gives them one of their own); the node's by default.</summary>
    public string DevicesDomain { get; set; }

    /// <summary>
    /// A device's words to a person (<paramref name="fromBare"/> the device, <paramref name="toBare"/> the person):
    /// queued for the person's room with the device when the person uses Matrix. Does not allocate for anyone else.
    /// </summary>
    public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare)
    {
        if (stanza.Body.IsEmpty || !_matrixLookup.ContainsKey(toBare))
        {
            return AccountReach.NotUsed;
        }

        int at = fromBare.IndexOf('@');
        if (at <= 0 || _server.Devices?.FindByLocalpart(fromBare[..at].ToString()) is not { } device)
        {
            return AccountReach.NotUsed;
        }

        // Posted only once the person has joined the room (DeviceRooms.Say); until then the other views have it.
        return Say(device, Homeserver.UserIdOfAccount(toBare.ToString()), Encoding.UTF8.GetString(stanza.Body))
            ? AccountReach.Kept
            : AccountReach.NotUsed;
    }

    // Apart from Deliver, whose early returns must not pay for this closure.
    private bool Say(Device device, string userId, string text)
    {
        string localpart = device.Localpart;
        string name = device.DisplayName;
        return Queue(() => _server.DeviceRooms.Say(localpart, name, userId, text));
    }

    /// <summary>
    /// A device's presence changed: its Matrix user's name and presence follow it, and each of its people who uses
    /// Matrix gets a room with it on first sight.
    /// </summary>
    public void ShowPresence(AccountPresence presence)
    {
        ArgumentNullException.ThrowIfNull(presence);
        int at = presence.Bare.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || _server.Devices?.FindByLocalpart(presence.Bare[..at]) is not { } device)
        {
            return;
        }

        string localpart = device.Localpart;
        string name = device.DisplayName;
        // Matrix presence says online only for a device that is plainly there; its status line changes with every
        // reading, which would be a stored presence update per reading, so it is refreshed when the device comes or
        // goes (or is renamed).
        bool online = presence.Available && presence.Show == PresenceShow.None;
        if (!_shown.TryGetValue(localpart, out var last) || last != (online, name))
        {
            _shown[localpart] = (online, name);
            string? status = string.IsNullOrEmpty(presence.Status) ? null : presence.Status;
            Queue(() => _server.DeviceRooms.Show(localpart, name, online, status));
        }

        foreach (string account in LocalPeople(device))
        {
            if (_matrixPeople.ContainsKey(account))
            {
                OpenRoom(localpart, name, Homeserver.UserIdOfAccount(account));
            }
        }
    }

    /// <summary>
    /// Sees each event a local user stores (inside its write): a text a person writes in their room with a device
    /// is routed to the device once committed, as a chat message from the person's account.
    /// </summary>
    internal void Observe(Db db, string roomId, string sender, string type, string? stateKey, JsonObject content)
    {
        if (type != "m.room.message" || JsonBody.OptString(content, "msgtype") is not "m.text" || JsonBody.OptString(content, "body") is not { } body)
        {
            return;
        }

        if (db.Scalar("SELECT device FROM matrix_device_rooms WHERE room_id = $r AND person = $p", ("$r", roomId), ("$p", sender)) is not string device
            || _server.LocalPart(device) is not { } localpart || _server.AccountOf(sender) is not { } account)
        {
            return;
        }

        string to = localpart + "@" + DevicesDomain;
        db.AfterCommit(() => _router.Route(RoutedStanza.Message(MessageType.Chat, Encoding.UTF8.GetBytes(account), Encoding.UTF8.GetBytes(to),
            default, Encoding.UTF8.GetBytes(body), default) with
        {
            Origin = StanzaOrigin.Matrix,
        }));
    }

    /// <summary>Someone logged in to Matrix: from now on devices speak to them there too, and the devices they may read open their rooms.</summary>
    internal void PersonLoggedIn(string userId)
    {
        if (_server.AccountOf(userId) is not { } account)
        {
            return;
        }

        _matrixPeople.TryAdd(account.ToLowerInvariant(), 0);
        foreach (var pair in _opened.Keys)
        {
            if (pair.UserId == userId)
            {
                _opened.TryRemove(pair, out _);
            }
        }

        if (_server.Devices is not { } registry)
        {
            return;
        }

        foreach (Device device in registry.All)
        {
            if (_server.DeviceRooms.MayRead(device, userId))
            {
                OpenRoom(device.Localpart, device.DisplayName, userId);
            }
        }
    }

    private static List<string> UsersWithDevices(Db db)
    {
        var users = new List<string>();
        using var query = db.Command("SELECT DISTINCT user_id FROM matrix_devices");
        using var row = query.ExecuteReader();
        while (row.Read())
        {
            users.Add(row.GetString(0));
        }

        return users;
    }

    private void OpenRoom(string localpart, string name, string userId)
    {
        if (!_opened.ContainsKey((localpart, userId)))
        {
            Queue(() =>
            {
                if (_server.DeviceRooms.EnsureRoom(localpart, name, userId) is not null)
                {
                    _opened.TryAdd((localpart, userId), 0);
                }
            });
        }
    }

    // The device's people on this node: its owners, commanders and readers with an account here.
    private IEnumerable<string> LocalPeople(Device device) =>
        device.Access.Owners.Concat(device.Access.Commanders).Concat(device.Access.Readers)
            .Where(j => j.Local is not null && string.Equals(j.Domain, _server.ServerName, StringComparison.OrdinalIgnoreCase))
            .Select(j => j.Bare.ToString().ToLowerInvariant()).Distinct(StringComparer.Ordinal);

    private bool Queue(Action work)
    {
        if (_work.Writer.TryWrite(work))
        {
            return true;
        }

        // Logged once per burst: the loop says when it has caught up.
        if (Interlocked.Exchange(ref _behind, 1) == 0)
        {
            DeviceBridgeLog.Behind(_server.Logger, QueueLength);
        }

        return false;
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
                DeviceBridgeLog.Failed(_server.Logger, e);
            }

            if (_work.Reader.Count == 0)
            {
                Volatile.Write(ref _behind, 0);
            }
        }
    }

    public void Dispose()
    {
        _work.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
