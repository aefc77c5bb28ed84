namespace EdgeNode.Core.Devices;

/// <summary>
/// Finds the capability a user meant. People type "power 2" for power2, "switch 0" for switch:0 and "humidity"
/// for living_room_humidity, so names are compared with everything but letters and digits removed, first whole,
/// then as a unique ending.
/// </summary>
internal static class CapabilityNames
{
    public static Capability? Match(IReadOnlyList<Capability> candidates, string name)
    {
        var wanted = Normalize(name);
        if (wanted.Length == 0) return null;
        foreach (var c in candidates)
        {
            if (Normalize(c.Id) == wanted || Normalize(c.DisplayName) == wanted) return c;
        }
        Capability? found = null;
        foreach (var c in candidates)
        {
            if (!Normalize(c.Id).EndsWith(wanted, StringComparison.Ordinal) && !Normalize(c.DisplayName).EndsWith(wanted, StringComparison.Ordinal)) continue;
            if (found is not null) return null;
            found = c;
        }
        return found;
    }

    public static string Normalize(string text)
    {
        Span<char> buffer = text.Length <= 128 ? stackalloc char[text.Length] : new char[text.Length];
        var length = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c)) buffer[length++] = char.ToLowerInvariant(c);
        }
        return new string(buffer[..length]);
    }

    public static string KindWord(CapabilityKind kind, bool plural = false) => (kind, plural) switch
    {
        (CapabilityKind.Switch or CapabilityKind.Light, false) => "switch or light",
        (CapabilityKind.Switch or CapabilityKind.Light, true) => "switches and lights",
        (CapabilityKind.Cover, false) => "cover",
        (CapabilityKind.Cover, true) => "covers",
        (CapabilityKind.Button, false) => "button",
        (CapabilityKind.Button, true) => "buttons",
        (CapabilityKind.Number or CapabilityKind.Select, _) => "setting",
        _ => "reading",
    };
}
