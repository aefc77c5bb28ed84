namespace EdgeNode.Core.Configuration;

/// <summary>
/// Invalid configuration. <see cref="Exception.Message"/> is the first problem as one line naming the key;
/// <see cref="Problems"/> holds every problem found, so `check-config` can list them all at once.
/// </summary>
public sealed class ConfigurationErrorException(IReadOnlyList<string> problems)
    : Exception(problems.Count > 0 ? problems[0] : "invalid configuration")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
