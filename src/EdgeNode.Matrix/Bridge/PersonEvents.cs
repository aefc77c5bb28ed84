using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.ClientApi;
using EdgeNode.Matrix.Events;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>A message a person wrote in Matrix, read out of its event, on its way to the router once the write committed.</summary>
internal sealed record MatrixMessage(string From, string To, string EventId, string Body, string? FormattedBody = null,
    bool Notice = false, bool Encrypted = false, MessageRelation Relation = MessageRelation.None, string? RelatesTo = null,
    string? RelatesToSender = null, string[]? Reactions = null, string[]? Attachments = null);

/// <summary>
/// Matrix to the router: what a person writes, reacts, redacts or reads in a pair's room goes to the other person as a
/// chat message from the writer's bare address, with the event id as its id. A text keeps its HTML, an emote becomes
/// "/me ", a notice is marked as one; a correction, reply or reaction names its target by the id XMPP knows it by;
/// a reaction (or the redaction of one) carries the sender's whole current set; an <c>m.room.encrypted</c> event
/// becomes a notice (rate-limited); an <c>m.read</c> receipt a displayed marker. Translation runs inside the write
/// that stored the event; routing after its commit, and never throws into the client's request.
/// </summary>
internal sealed class PersonEvents(Homeserver server, Router router, PersonRooms rooms, EncryptedNotices notices, MatrixUse use)
{
    /// <summary>Sees an event a local user stored (inside the write); routes what the other person should get after commit.</summary>
    public void Observe(Db db, string roomId, string sender, string type, string? stateKey, JsonObject content)
    {
        if (type == EventTypes.Member)
        {
            // A direct chat a Matrix user opens with another local person is the pair's room if they have none yet.
            if (stateKey is not null && stateKey != sender && JsonBody.OptString(content, "membership") == "invite"
                && content["is_direct"] is JsonValue direct && direct.TryGetValue(out bool isDirect) && isDirect
                && rooms.IsPerson(sender) && rooms.IsPerson(stateKey))
            {
                PersonRooms.Adopt(db, roomId, sender, stateKey);
            }

            return;
        }

        if (stateKey is not null || type is not ("m.room.message" or "m.reaction" or "m.room.encrypted" or EventTypes.Redaction)) return;
        if (!rooms.IsPerson(sender)) return;
        string? other = PersonRooms.OtherOf(db, roomId, sender) ?? rooms.DirectPartner(db, roomId, sender);
        if (other is null) return;
        if (Translate(db, roomId, sender, other, type, content) is { } message)
        {
            db.AfterCommit(() => Route(message));
        }
    }

    /// <summary>An m.read receipt a local user set (inside the write): a displayed marker for the other person's message.</summary>
    public void Receipt(Db db, string roomId, string userId, string eventId)
    {
        if (!rooms.IsPerson(userId) || PersonRooms.OtherOf(db, roomId, userId) is not { } other) return;
        if (BridgedEvents.Describe(db, roomId, eventId) is not { } target || target.Sender != other) return;
        var message = new MatrixMessage(Bare(userId), Bare(other), "", "", Relation: MessageRelation.Displayed,
            RelatesTo: BridgedEvents.XmppIdOf(db, eventId), RelatesToSender: Bare(other));
        db.AfterCommit(() => Route(message));
    }

    private MatrixMessage? Translate(Db db, string roomId, string sender, string other, string type, JsonObject content)
    {
        string from = Bare(sender);
        string to = Bare(other);
        string? eventId = BridgedEvents.JustStored(db, roomId, sender, type);
        if (eventId is null) return null;
        switch (type)
        {
            case "m.room.encrypted":
                return notices.Allow(from, to)
                    ? new MatrixMessage(from, to, eventId, EncryptedNotices.ForXmpp(sender), Encrypted: true)
                    : null;
            case "m.reaction":
                if (JsonBody.OptObject(content, "m.relates_to") is not { } annotation || JsonBody.OptString(annotation, "rel_type") != "m.annotation"
                    || JsonBody.OptString(annotation, "event_id") is not { } reacted)
                {
                    return null;
                }

                return ReactionSet(db, roomId, sender, from, to, eventId, reacted);
            case EventTypes.Redaction:
                // Withdrawing a reaction sends the new set; other redactions (a message taken back) do not cross.
                if (JsonBody.OptString(content, "redacts") is not { } redacted
                    || BridgedEvents.Describe(db, roomId, redacted) is not { Type: "m.reaction", RelatesTo: { } target } reaction
                    || reaction.Sender != sender)
                {
                    return null;
                }

                return ReactionSet(db, roomId, sender, from, to, eventId, target);
        }

        return Text(db, roomId, from, to, eventId, content);
    }

    private MatrixMessage ReactionSet(Db db, string roomId, string sender, string from, string to, string eventId, string target)
    {
        string[] keys = [.. BridgedEvents.Reactions(db, roomId, sender, target).Select(r => r.Key).Distinct(StringComparer.Ordinal)];
        return new MatrixMessage(from, to, eventId, "", Relation: MessageRelation.Reaction, RelatesTo: BridgedEvents.XmppIdOf(db, target),
            RelatesToSender: SenderOf(db, roomId, target), Reactions: keys);
    }

    private MatrixMessage? Text(Db db, string roomId, string from, string to, string eventId, JsonObject content)
    {
        var relates = JsonBody.OptObject(content, "m.relates_to");
        MessageRelation relation = MessageRelation.None;
        string? target = null;
        var shown = content;
        if (relates is not null && JsonBody.OptString(relates, "rel_type") == "m.replace" && JsonBody.OptString(relates, "event_id") is { } replaced
            && JsonBody.OptObject(content, "m.new_content") is { } replacement)
        {
            relation = MessageRelation.Replace;
            target = replaced;
            shown = replacement;
        }
        else if (relates is not null && JsonBody.OptObject(relates, "m.in_reply_to") is { } inReplyTo && JsonBody.OptString(inReplyTo, "event_id") is { } answered)
        {
            relation = MessageRelation.Reply;
            target = answered;
        }

        string msgtype = JsonBody.OptString(shown, "msgtype") ?? "m.text";
        string body = JsonBody.OptString(shown, "body") ?? "";
        string? formatted = JsonBody.OptString(shown, "format") == "org.matrix.custom.html" ? JsonBody.OptString(shown, "formatted_body") : null;
        if (relation == MessageRelation.Reply)
        {
            body = WithoutReplyFallback(body);
            if (formatted is not null) formatted = WithoutReplyFallback(formatted);
        }

        string[]? attachments = null;
        switch (msgtype)
        {
            case "m.emote":
                body = "/me " + body;
                if (formatted is not null) formatted = "/me " + formatted;
                break;
            case "m.image" or "m.file" or "m.video" or "m.audio":
                if (JsonBody.OptString(shown, "url") is { } mxc && DownloadUrl(mxc) is { } url) attachments = [url];
                break;
        }

        if (body.Length == 0 && attachments is null) return null;
        return new MatrixMessage(from, to, eventId, body, formatted, Notice: msgtype == "m.notice", Relation: relation,
            RelatesTo: target is null ? null : BridgedEvents.XmppIdOf(db, target),
            RelatesToSender: target is null ? null : SenderOf(db, roomId, target), Attachments: attachments);
    }

    /// <summary>Drops the quoted lines an older client puts before its answer ("&gt; &lt;@who&gt; text", then a blank line) or its mx-reply block.</summary>
    internal static string WithoutReplyFallback(string text)
    {
        int end = text.IndexOf("</mx-reply>", StringComparison.Ordinal);
        if (text.StartsWith("<mx-reply>", StringComparison.Ordinal) && end > 0) return text[(end + "</mx-reply>".Length)..];
        if (!text.StartsWith("> ", StringComparison.Ordinal)) return text;
        int at = 0;
        while (at < text.Length && text[at] == '>')
        {
            int newline = text.IndexOf('\n', at);
            if (newline < 0) return text;
            at = newline + 1;
        }

        if (at < text.Length && text[at] == '\n') at++;
        return text[at..];
    }

    /// <summary>
    /// An mxc:// URI of this node's media as a URL an XMPP client may fetch: the unauthenticated download path, so only
    /// when Matrix:LegacyMediaDownloads serves it (otherwise the file's name is all that crosses).
    /// </summary>
    private string? DownloadUrl(string mxc)
    {
        const string Scheme = "mxc://";
        if (!server.Options.LegacyMediaDownloads || !mxc.StartsWith(Scheme, StringComparison.Ordinal)) return null;
        string rest = mxc[Scheme.Length..];
        int slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1 || rest.IndexOf('/', slash + 1) >= 0) return null;
        return server.BaseUrl + "/_matrix/media/v3/download/" + Uri.EscapeDataString(rest[..slash]) + "/" + Uri.EscapeDataString(rest[(slash + 1)..]);
    }

    private string? SenderOf(Db db, string roomId, string eventId) =>
        BridgedEvents.Describe(db, roomId, eventId) is { } e && server.AccountOf(e.Sender) is { } bare ? bare : null;

    private string Bare(string userId) => server.AccountOf(userId)!;

    /// <summary>Hands one message to the router; a failure is logged, never thrown into the request that stored the event.</summary>
    internal void Route(MatrixMessage message)
    {
        try
        {
            byte[] from = Encoding.UTF8.GetBytes(message.From);
            byte[] to = Encoding.UTF8.GetBytes(message.To);
            var stanza = new RoutedStanza(StanzaKind.Message, (byte)MessageType.Chat, from, to, Encoding.UTF8.GetBytes(message.EventId),
                Encoding.UTF8.GetBytes(message.Body), default)
            {
                Origin = StanzaOrigin.Matrix,
                // The event is in a room the recipient is in: their Matrix clients have it (now, if one is syncing).
                OriginReach = use.SyncingNow(message.To) ? AccountReach.Reached : use.Uses(message.To) ? AccountReach.Kept : AccountReach.NotUsed,
                FormattedBody = message.FormattedBody is null ? default : Encoding.UTF8.GetBytes(message.FormattedBody),
                Timestamp = server.Now,
                Notice = message.Notice,
                Encrypted = message.Encrypted,
                Relation = message.Relation,
                RelatesTo = message.RelatesTo is null ? default : Encoding.UTF8.GetBytes(message.RelatesTo),
                RelatesToSender = message.RelatesToSender is null ? default : Encoding.UTF8.GetBytes(message.RelatesToSender),
                Reactions = message.Reactions,
                Attachments = message.Attachments,
            };
            RouteOutcome outcome = router.Route(stanza);
            if (outcome is not (RouteOutcome.Delivered or RouteOutcome.StoredOffline or RouteOutcome.Ignored))
            {
                PersonBridgeLog.NotRouted(server.Logger, message.From, message.To, outcome);
            }
        }
        catch (Exception e)
        {
            PersonBridgeLog.RouteFailed(server.Logger, message.From, message.To, e);
        }
    }
}
