using EdgeNode.Core.Routing;

namespace EdgeNode.Matrix.Bridge;

/// <summary>How Matrix shows an account's availability: one presence row (online, unavailable, offline).</summary>
internal readonly record struct ShownPresence(string Presence, string? Status, long LastActiveTs);

/// <summary>
/// The union of every protocol's view of one account (DESIGN.md "The one idea": one account, several front-ends):
/// online when any view is available and not away, unavailable when every available view is away or extended away,
/// offline when none is available. The status text is the most recent one (by last-active time) of the available
/// views, or of all views when none is available; last active is the latest of all.
/// </summary>
internal static class PresenceUnion
{
    public static ShownPresence Of(ReadOnlySpan<AccountPresence> views, long now)
    {
        bool available = false, present = false;
        long lastActive = 0;
        AccountPresence? statusFrom = null;
        foreach (var view in views)
        {
            lastActive = Math.Max(lastActive, view.LastActiveTs);
            if (view.Available)
            {
                available = true;
                if (view.Show is not (PresenceShow.Away or PresenceShow.ExtendedAway)) present = true;
            }
        }

        foreach (var view in views)
        {
            if (view.Available != available || string.IsNullOrEmpty(view.Status)) continue;
            if (statusFrom is null || view.LastActiveTs >= statusFrom.LastActiveTs) statusFrom = view;
        }

        string presence = present ? "online" : available ? "unavailable" : "offline";
        return new ShownPresence(presence, statusFrom?.Status, lastActive > 0 ? lastActive : now);
    }

    /// <summary>The Matrix view as the router carries it: unavailable is away.</summary>
    public static AccountPresence View(string bare, string presence, string? status, long lastActiveTs) =>
        new(bare, StanzaOrigin.Matrix, presence != "offline", presence == "unavailable" ? PresenceShow.Away : PresenceShow.None, status, lastActiveTs);
}
