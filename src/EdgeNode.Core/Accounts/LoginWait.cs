namespace EdgeNode.Core.Accounts;

/// <summary>The words every protocol uses to tell a client how long the login guard makes it wait.</summary>
public static class LoginWait
{
    /// <summary>"Too many failed logins; try again in 8 seconds." (minutes from two minutes on).</summary>
    public static string TooMany(TimeSpan wait) => $"Too many failed logins; try again in {Duration(wait)}.";

    /// <summary>Whole seconds, rounded up, at least one (HTTP Retry-After, and the Matrix retry_after_ms over 1000).</summary>
    public static long Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));

    /// <summary>"1 second", "45 seconds", "3 minutes".</summary>
    public static string Duration(TimeSpan wait)
    {
        long seconds = Seconds(wait);
        if (seconds < 120)
        {
            return seconds == 1 ? "1 second" : $"{seconds} seconds";
        }

        return $"{(seconds + 59) / 60} minutes";
    }
}
