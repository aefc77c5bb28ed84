namespace EdgeNode.Core.Dns;

/// <summary>A place to connect to, as SRV records and their fallback name it.</summary>
public sealed record ServiceEndpoint(string Host, int Port, bool DirectTls);

/// <summary>The order RFC 2782 prescribes for trying SRV targets, over records of several services at once (XEP-0368).</summary>
public static class SrvOrdering
{
    /// <summary>
    /// Lowest priority first; within a priority, a weighted random order (a record's chance to come next is its
    /// weight's share of those left, with zero-weight records given a small chance so they still come up).
    /// </summary>
    public static IReadOnlyList<T> Order<T>(IEnumerable<T> records, Func<T, SrvRecord> srvOf, Random random)
    {
        var result = new List<T>();
        foreach (var group in records.GroupBy(r => srvOf(r).Priority).OrderBy(g => g.Key))
        {
            // RFC 2782: zero-weight records first in the list so the running sum gives them a (small) chance.
            var left = group.OrderBy(r => srvOf(r).Weight == 0 ? 0 : 1).ToList();
            while (left.Count > 0)
            {
                var total = left.Sum(r => (int)srvOf(r).Weight);
                var pick = random.Next(total + 1);
                var running = 0;
                var chosen = left.Count - 1;
                for (var i = 0; i < left.Count; i++)
                {
                    running += srvOf(left[i]).Weight;
                    if (running >= pick) { chosen = i; break; }
                }
                result.Add(left[chosen]);
                left.RemoveAt(chosen);
            }
        }
        return result;
    }
}
