namespace EdgeNode.Matrix.Auth;

/// <summary>The outcome of the authorisation rules: allowed, or rejected with the rule that refused.</summary>
public readonly record struct AuthDecision(bool Allowed, string Reason)
{
    public static AuthDecision Allow(string rule) => new(true, rule);

    public static AuthDecision Reject(string rule) => new(false, rule);

    public override string ToString() => (Allowed ? "allowed: " : "rejected: ") + Reason;
}
