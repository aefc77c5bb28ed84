using EdgeNode.Core.Addressing;

namespace EdgeNode.Core.Devices;

public enum DeviceAccessLevel
{
    None,
    Read,
    Command,
}

/// <summary>
/// Who may see and command a device. Lists hold bare addresses. A local owner may command; anyone else only
/// what a list names, and a user of another server can command only when named in <see cref="Commanders"/>:
/// owning a device does not let a federated account switch it, so a mistyped owner cannot open the door to a
/// whole foreign server.
/// </summary>
public sealed record DeviceAccess(IReadOnlyList<Jid> Owners, IReadOnlyList<Jid> Readers, IReadOnlyList<Jid> Commanders)
{
    public static DeviceAccess Empty { get; } = new([], [], []);

    public static DeviceAccess OwnedBy(IEnumerable<Jid> owners) => new([.. owners.Select(o => o.Bare)], [], []);

    /// <summary>Owners as assigned (bare addresses as text), those of them who may command also as commanders.</summary>
    public static DeviceAccess Assigned(IEnumerable<string> owners, IEnumerable<string> commanders) =>
        new([.. owners.Select(o => Jid.Parse(o).Bare)], [], [.. commanders.Select(o => Jid.Parse(o).Bare)]);

    public DeviceAccessLevel LevelFor(Jid requester, string nodeDomain)
    {
        var who = requester.Bare;
        var local = string.Equals(who.Domain, nodeDomain, StringComparison.OrdinalIgnoreCase);
        if (Commanders.Contains(who)) return DeviceAccessLevel.Command;
        if (Owners.Contains(who)) return local ? DeviceAccessLevel.Command : DeviceAccessLevel.Read;
        return Readers.Contains(who) ? DeviceAccessLevel.Read : DeviceAccessLevel.None;
    }

    public bool CanRead(Jid requester, string nodeDomain) => LevelFor(requester, nodeDomain) >= DeviceAccessLevel.Read;

    public bool CanCommand(Jid requester, string nodeDomain) => LevelFor(requester, nodeDomain) == DeviceAccessLevel.Command;
}
