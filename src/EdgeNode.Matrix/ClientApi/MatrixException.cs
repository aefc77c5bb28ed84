namespace EdgeNode.Matrix.ClientApi;

/// <summary>An error the client API answers with: an HTTP status and a spec error code (errcode).</summary>
public sealed class MatrixException(int status, string errcode, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string ErrCode { get; } = errcode;
    public long? RetryAfterMs { get; init; }

    /// <summary>Where to ask for more (M_RESOURCE_LIMIT_EXCEEDED must carry one).</summary>
    public string? AdminContact { get; init; }

    public static MatrixException Forbidden(string message) => new(403, "M_FORBIDDEN", message);
    public static MatrixException NotFound(string message) => new(404, "M_NOT_FOUND", message);
    public static MatrixException BadJson(string message) => new(400, "M_BAD_JSON", message);
    public static MatrixException NotJson(string message) => new(400, "M_NOT_JSON", message);
    public static MatrixException InvalidParam(string message) => new(400, "M_INVALID_PARAM", message);
    public static MatrixException MissingParam(string message) => new(400, "M_MISSING_PARAM", message);
    public static MatrixException TooLarge(string message) => new(413, "M_TOO_LARGE", message);

    /// <summary>A limit on what a user may keep on the node (client-server API, "Standard error response").</summary>
    public static MatrixException ResourceLimit(string message, string adminContact) =>
        new(403, "M_RESOURCE_LIMIT_EXCEEDED", message) { AdminContact = adminContact };
}
