namespace EdgeNode.Core.Topics;

/// <summary>Which use of a topic filter a grant gives a device account.</summary>
public enum TopicDirection
{
    Publish,
    Subscribe,
}

/// <summary>What <see cref="IDeviceAccountGrants.Change"/> did.</summary>
public enum GrantChange
{
    Changed,
    Unchanged,
    NoSuchAccount,
}

/// <summary>
/// The administrators' grants of topic filters to the broker's device accounts (`edgenode device allow`, `disallow`),
/// as the node participant's allow and disallow commands reach them. The executable implements it over the MQTT
/// device accounts, so the device service needs no MQTT library; a grant applies from the account's next connection.
/// </summary>
public interface IDeviceAccountGrants
{
    /// <summary>Null when <paramref name="name"/> can name a device account, otherwise why it cannot.</summary>
    string? NameProblem(string name);

    /// <summary>
    /// Whether <paramref name="filter"/> is a topic filter a grant may name: '+' and '#' fill a whole level, '#' only
    /// the last, and no shared subscription.
    /// </summary>
    bool IsGrantable(string filter);

    /// <summary>Grants (<paramref name="allow"/>) or takes back one use of a filter for a device account.</summary>
    GrantChange Change(string account, TopicDirection direction, string filter, bool allow);
}
