using System.Text;
using EdgeNode.Core.Routing;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// Typing between Matrix and the other protocols, in the direct room of two people (XEP-0085 chat states: composing
/// is typing, paused, active, inactive and gone end it). A Matrix user typing in a room whose members are exactly two
/// local people is routed to the other person as a chat state without a body; an XMPP chat state sets or clears the
/// sender's typing in that room. Only changes are routed: clients repeat "typing" every few seconds.
/// </summary>
internal sealed class TypingBridge(Homeserver server, Router router)
{
    /// <summary>How long a composing state from another protocol shows as typing without a newer one (XEP-0085's pause).</summary>
    public static readonly TimeSpan ComposingTimeout = TimeSpan.FromSeconds(30);

    // As long as Matrix itself shows one typing notification (TypingTracker).
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(2);

    private readonly Lock _lock = new();

    // Matrix users whose typing was routed as composing: (room, user) -> (the other person, until when).
    private readonly Dictionary<(string Room, string User), (string Other, DateTimeOffset Until)> _composing = [];

    /// <summary>A Matrix client set its user's typing state in a room (the typing endpoint).</summary>
    public void FromClient(string roomId, string userId, bool typing, TimeSpan timeout)
    {
        var key = (roomId, userId);
        if (!typing)
        {
            string? other;
            lock (_lock)
            {
                if (!_composing.Remove(key, out var was)) return;
                other = was.Other;
            }

            Route(userId, other, ChatState.Paused);
            return;
        }

        var until = server.Time.GetUtcNow() + (timeout > MaxTimeout ? MaxTimeout : timeout);
        lock (_lock)
        {
            if (_composing.TryGetValue(key, out var known))
            {
                _composing[key] = (known.Other, until);
                return;
            }
        }

        if (PersonOf(userId) is null) return;
        string? otherUser = server.Read(db => SharedRooms.OtherOfTwo(db, roomId, userId));
        if (otherUser is null || PersonOf(otherUser) is null) return;
        lock (_lock)
        {
            if (!_composing.TryAdd(key, (otherUser, until)))
            {
                _composing[key] = (otherUser, until);
                return;
            }
        }

        Route(userId, otherUser, ChatState.Composing);
    }

    /// <summary>Typing whose timeout ran out ends as paused.</summary>
    public void Expire()
    {
        var now = server.Time.GetUtcNow();
        List<((string Room, string User) Key, string Other)>? ended = null;
        lock (_lock)
        {
            foreach (var (key, value) in _composing)
                if (value.Until <= now) (ended ??= []).Add((key, value.Other));
            if (ended is null) return;
            foreach (var (key, _) in ended) _composing.Remove(key);
        }

        foreach (var (key, other) in ended) Route(key.User, other, ChatState.Paused);
    }

    /// <summary>Another protocol's chat state of <paramref name="fromBare"/> to <paramref name="toBare"/> (run on the queue).</summary>
    public void FromRouter(string fromBare, string toBare, bool typing)
    {
        string from = Homeserver.UserIdOfAccount(fromBare), to = Homeserver.UserIdOfAccount(toBare);
        if (PersonOf(from) is null || PersonOf(to) is null) return;
        string? room = server.Read(db => SharedRooms.OfPair(db, from, to));
        if (room is null) return;
        if (!typing && server.Typing.ChangedSince(room, long.MinValue)?.Contains(from) != true) return;
        server.Typing.Set(room, from, typing, typing ? ComposingTimeout : TimeSpan.Zero);
    }

    // A local person (not a device) of this server: their account, else null.
    private string? PersonOf(string userId) =>
        server.LocalPart(userId) is { } local && !server.IsDeviceLocalpart(local) ? server.AccountOf(userId) : null;

    private void Route(string userId, string otherUserId, ChatState state)
    {
        byte[] from = Encoding.UTF8.GetBytes(server.AccountOf(userId)!);
        byte[] to = Encoding.UTF8.GetBytes(server.AccountOf(otherUserId)!);
        router.Route(new RoutedStanza(StanzaKind.Message, (byte)MessageType.Chat, from, to, default, default, default)
        {
            Origin = StanzaOrigin.Matrix,
            ChatState = state,
        });
    }
}
