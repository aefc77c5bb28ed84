namespace EdgeNode.Core.Storage;

/// <summary>One forward step of a schema. Steps are never edited once released; a change is a new step.</summary>
public sealed record Migration(int Version, string Description, string Sql);

/// <summary>
/// The schema history of one component (core, xmpp, mqtt, matrix...). Each component numbers its own steps, so
/// the protocol libraries add tables without coordinating version numbers with each other.
/// </summary>
public sealed record MigrationSet(string Component, IReadOnlyList<Migration> Steps)
{
    public int Latest => Steps.Count == 0 ? 0 : Steps[^1].Version;

    public MigrationSet UpTo(int version) => this with { Steps = Steps.Where(s => s.Version <= version).ToArray() };
}
