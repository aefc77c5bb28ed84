using EdgeNode.Core.Accounts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeNode.Hosting;

/// <summary>
/// Ends what is still live for accounts removed behind the node's back (`edgenode user remove` while it runs):
/// once at start, then every few seconds.
/// </summary>
internal sealed class AccountSweepService(AccountRemoval removal, ILogger<AccountSweepService> logger, TimeSpan interval) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    if (removal.Sweep() is > 0 and var ended) NodeLog.RemovedAccountsEnded(logger, ended);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    NodeLog.AccountSweepFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping (or never finished starting).
        }
    }
}
