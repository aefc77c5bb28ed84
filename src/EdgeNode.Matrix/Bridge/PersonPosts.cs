using System.Text.Json.Nodes;
using EdgeNode.Core.Routing;
using EdgeNode.Matrix.Storage;

namespace EdgeNode.Matrix.Bridge;

/// <summary>
/// XMPP to Matrix: writes what a person sent from an XMPP client into the pair's room, as that person's Matrix user.
/// A text becomes <c>m.room.message</c> (<c>m.text</c>; <c>m.emote</c> for "/me "; <c>m.notice</c> for a notice),
/// a correction <c>m.replace</c>, a reply <c>m.in_reply_to</c>, the set of reactions <c>m.annotation</c> events
/// (added and redacted to match it), a displayed marker the sender's <c>m.read</c> receipt, an encrypted message a
/// notice (rate-limited). Runs on the bridge's loop, one write per message.
/// </summary>
internal sealed class PersonPosts(Homeserver server, PersonRooms rooms, EncryptedNotices notices)
{
    /// <summary>Writes one message; returns the event it became (null for a receipt, a reaction set, or nothing posted).</summary>
    public string? Post(PersonMessage message)
    {
        string sender = Homeserver.UserIdOfAccount(message.From);
        string recipient = Homeserver.UserIdOfAccount(message.To);
        if (message.Encrypted && !notices.Allow(message.From, message.To))
        {
            return null;
        }

        return server.Write(db =>
        {
            string room = rooms.Ensure(db, sender, recipient);
            if (message.Encrypted)
            {
                var notice = new JsonObject { ["msgtype"] = "m.notice", ["body"] = EncryptedNotices.ForMatrix(message.From) };
                return server.Actions.Send(db, room, sender, "m.room.message", null, notice).EventId;
            }

            string? target = message.Relation == MessageRelation.None ? null
                : BridgedEvents.EventOf(db, room, message.RelatesTo, message.Relation == MessageRelation.Replace ? sender : null);
            switch (message.Relation)
            {
                case MessageRelation.Reaction:
                    if (target is not null) React(db, room, sender, target, message.Reactions);
                    return null;
                case MessageRelation.Displayed:
                    if (target is not null) Read(db, room, sender, target);
                    return null;
            }

            if (message.Body.Length == 0 && message.Attachments.Length == 0)
            {
                return null;
            }

            var content = Content(message);
            if (target is not null && message.Relation == MessageRelation.Replace)
            {
                var replacement = new JsonObject();
                foreach (var (name, value) in content) replacement[name] = value?.DeepClone();
                content["body"] = "* " + (string)content["body"]!;
                if (content["formatted_body"] is JsonValue formatted) content["formatted_body"] = "* " + formatted.GetValue<string>();
                content["m.new_content"] = replacement;
                content["m.relates_to"] = new JsonObject { ["rel_type"] = "m.replace", ["event_id"] = target };
            }
            else if (target is not null && message.Relation == MessageRelation.Reply)
            {
                content["m.relates_to"] = new JsonObject { ["m.in_reply_to"] = new JsonObject { ["event_id"] = target } };
            }

            string eventId = server.Actions.Send(db, room, sender, "m.room.message", null, content).EventId;
            BridgedEvents.Remember(db, room, eventId, message.XmppId, sender);
            return eventId;
        });
    }

    /// <summary>The message's text as m.room.message content (files shared with it are named by URL in the text).</summary>
    internal static JsonObject Content(PersonMessage message)
    {
        string body = message.Body;
        foreach (string url in message.Attachments)
        {
            if (!body.Contains(url, StringComparison.Ordinal)) body = body.Length == 0 ? url : body + "\n" + url;
        }

        string msgtype = "m.text";
        string? formatted = message.FormattedBody;
        if (message.Notice)
        {
            msgtype = "m.notice";
        }
        else if (body.StartsWith("/me ", StringComparison.Ordinal))
        {
            msgtype = "m.emote";
            body = body[4..];
            if (formatted is not null && formatted.StartsWith("/me ", StringComparison.Ordinal)) formatted = formatted[4..];
        }

        var content = new JsonObject { ["msgtype"] = msgtype, ["body"] = body };
        if (formatted is not null)
        {
            content["format"] = "org.matrix.custom.html";
            content["formatted_body"] = formatted;
        }

        return content;
    }

    // XEP-0444 sends the whole set: keys new to it become annotations, annotations whose key left it are redacted.
    private void React(Db db, string room, string sender, string target, string[] keys)
    {
        var current = BridgedEvents.Reactions(db, room, sender, target);
        foreach (var (eventId, key) in current)
        {
            if (Array.IndexOf(keys, key) < 0)
            {
                server.Actions.Redact(db, room, sender, eventId, new JsonObject(), null, null);
            }
        }

        foreach (string key in keys.Distinct(StringComparer.Ordinal))
        {
            if (key.Length > 0 && !current.Exists(r => r.Key == key))
            {
                server.Actions.Send(db, room, sender, "m.reaction", null, new JsonObject
                {
                    ["m.relates_to"] = new JsonObject { ["rel_type"] = "m.annotation", ["event_id"] = target, ["key"] = key },
                });
            }
        }
    }

    private void Read(Db db, string room, string sender, string target)
    {
        db.Execute("""
            INSERT INTO matrix_receipts (room_id, user_id, receipt_type, thread_id, event_id, ts, stream) VALUES ($r, $u, 'm.read', '', $e, $ts, $s)
            ON CONFLICT (room_id, user_id, receipt_type, thread_id) DO UPDATE SET event_id = $e, ts = $ts, stream = $s
            """, ("$r", room), ("$u", sender), ("$e", target), ("$ts", server.Now), ("$s", db.NextStream()));
    }
}
