using EdgeNode.Xmpp.Streams;

namespace EdgeNode.Xmpp.Stanzas;

/// <summary>
/// Which sessions were handed the message being routed on this thread. The router reports only an outcome, while
/// XEP-0280 needs to know who got the original (so that they get no copy); the router delivers synchronously on the
/// routing thread, so the sessions note themselves here while a witness is open. The array is reused: no allocation
/// once a thread has routed to its usual number of sessions.
/// </summary>
internal static class DeliveryWitness
{
    [ThreadStatic]
    private static C2sSession?[]? t_seen;

    [ThreadStatic]
    private static int t_count;

    [ThreadStatic]
    private static bool t_open;

    public static void Begin()
    {
        t_open = true;
        t_count = 0;
    }

    public static void Record(C2sSession session)
    {
        if (!t_open)
        {
            return;
        }

        C2sSession?[] seen = t_seen ??= new C2sSession?[8];
        if (t_count == seen.Length)
        {
            Array.Resize(ref t_seen, seen.Length * 2);
            seen = t_seen;
        }

        seen[t_count++] = session;
    }

    public static bool Saw(C2sSession session)
    {
        C2sSession?[]? seen = t_seen;
        for (int i = 0; i < t_count; i++)
        {
            if (ReferenceEquals(seen![i], session))
            {
                return true;
            }
        }

        return false;
    }

    public static void End()
    {
        if (t_seen is { } seen)
        {
            Array.Clear(seen, 0, t_count);
        }

        t_count = 0;
        t_open = false;
    }
}
