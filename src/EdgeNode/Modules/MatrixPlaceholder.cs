using Microsoft.AspNetCore.Http;

namespace EdgeNode.Modules;

/// <summary>
/// The HTTP ports before the Matrix APIs are part of this build: every request gets the answer the Matrix
/// specification gives for an endpoint a server does not know (404, M_UNRECOGNIZED).
/// </summary>
public static class MatrixPlaceholder
{
    private static readonly byte[] Unrecognized = """{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}"""u8.ToArray();

    public static Task HandleAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = Unrecognized.Length;
        return context.Response.Body.WriteAsync(Unrecognized, context.RequestAborted).AsTask();
    }
}
