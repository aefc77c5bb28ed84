namespace EdgeNode.Core.Storage;

/// <summary>One forward step of the schema. Steps are never edited once released; a change is a new step.</summary>
public sealed record Migration(int Version, string Description, string Sql);
