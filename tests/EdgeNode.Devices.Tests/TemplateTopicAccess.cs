namespace EdgeNode.Devices.Tests;

/// <summary>
/// Access rules as the broker applies them by default: the device templates with the account's name filled in, plus
/// grants the test adds (what `edgenode device allow` records).
/// </summary>
internal sealed class TemplateTopicAccess(params string[] accounts) : IDeviceTopicAccess
{
    private static readonly string[] Templates =
        ["{device}/#", "tele/{device}/#", "stat/{device}/#", "cmnd/{device}/#", "shellies/{device}/#", "homie/5/{device}/#", "homie/{device}/#", "homeassistant/+/{device}/#"];

    public List<(string Account, string Filter)> Grants { get; } = [];

    public bool IsDeviceAccount(string name) => accounts.Contains(name, StringComparer.Ordinal);

    public bool MayPublish(string account, string topic) => Allowed(account).Any(filter => TopicFilter.Matches(filter, topic));

    public bool MaySubscribe(string account, string topic) => MayPublish(account, topic);

    private IEnumerable<string> Allowed(string account) =>
        Templates.Select(t => t.Replace("{device}", account, StringComparison.Ordinal)).Concat(Grants.Where(g => g.Account == account).Select(g => g.Filter));
}
