namespace EdgeNode.Core.Acme;

/// <summary>
/// An ACME exchange failed: the server refused (its problem type and detail are in the message) or answered
/// something the node cannot use. The certificate in use stays as it was.
/// </summary>
public sealed class AcmeException : Exception
{
    public AcmeException(string message, string? problemType = null) : base(message) => ProblemType = problemType;

    public AcmeException() : base("ACME exchange failed")
    {
    }

    public AcmeException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>The server's problem type (urn:ietf:params:acme:error:...), when it sent one.</summary>
    public string? ProblemType { get; }
}
