using System.Text.Json.Nodes;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// Matrix as one front-end of the router (DESIGN.md "The one idea"): a local account is reached on Matrix through
/// the direct room between the two participants, and what Matrix users write, read and type in such a room goes
/// back through the router to the other participant's other protocols. People's conversations are
/// <see cref="PersonBridge"/>'s, devices' rooms <see cref="DeviceBridge"/>'s, availability and typing
/// <see cref="PresenceBridge"/>'s.
/// </summary>
public sealed class MatrixFrontEnd : IAccountFrontEnd, IDisposable
{
    public MatrixFrontEnd(Homeserver server, Router router)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(router);
        People = new PersonBridge(server, router);
        Devices = new DeviceBridge(server, router);
        Presence = new PresenceBridge(server, router);
        server.UseFrontEnd(this);
    }

    public StanzaOrigin Protocol => StanzaOrigin.Matrix;

    /// <summary>Conversations between people: direct rooms, messages, edits, replies, reactions, read markers.</summary>
    public PersonBridge People { get; }

    /// <summary>Devices as Matrix users: their rooms with their people, readings as notices, commands typed there.</summary>
    public DeviceBridge Devices { get; }

    /// <summary>Availability (the union of every protocol's view) and typing.</summary>
    public PresenceBridge Presence { get; }

    public AccountReach Deliver(in RoutedStanza stanza, ReadOnlySpan<char> fromBare, ReadOnlySpan<char> toBare)
    {
        if (stanza.Origin is StanzaOrigin.Device or StanzaOrigin.Node)
        {
            return Devices.Deliver(stanza, fromBare, toBare);
        }

        if (stanza.ChatState == ChatState.None)
        {
            return People.Deliver(stanza, fromBare, toBare);
        }

        // A chat state is typing in the pair's room; a message that also says something goes to the room as well.
        AccountReach typing = Presence.Typing(fromBare, toBare, stanza.ChatState);
        return stanza.Body.IsEmpty && stanza.Relation == MessageRelation.None && !stanza.Encrypted
            ? typing
            : People.Deliver(stanza, fromBare, toBare);
    }

    public void ShowPresence(AccountPresence presence)
    {
        if (presence.Source is StanzaOrigin.Device or StanzaOrigin.Node)
        {
            Devices.ShowPresence(presence);
        }
        else
        {
            Presence.Show(presence);
        }
    }

    public bool ShareConversation(string bareA, string bareB) => Presence.ShareConversation(bareA, bareB);

    /// <summary>Sees every event a local user stores through the client API, inside its write (see RoomActions).</summary>
    internal void Observe(Db db, string roomId, string sender, string type, string? stateKey, JsonObject content)
    {
        People.Observe(db, roomId, sender, type, stateKey, content);
        Devices.Observe(db, roomId, sender, type, stateKey, content);
    }

    public void Dispose()
    {
        People.Dispose();
        Devices.Dispose();
        Presence.Dispose();
    }
}
