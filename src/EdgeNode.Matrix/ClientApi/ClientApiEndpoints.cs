using EdgeNode.Core.Logging;
using EdgeNode.Matrix.ClientApi.Handlers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EdgeNode.Matrix.ClientApi;

/// <summary>
/// The client-server API on Kestrel: each route under /_matrix/client/v3 and its /r0 alias, RequestDelegate
/// handlers, CORS on every answer, 404 M_UNRECOGNIZED for unknown paths and 405 M_UNRECOGNIZED for a known path
/// asked with the wrong method. Requests to any other port than the client port (the federation port, whose API
/// is not part of this build) get 404 M_UNRECOGNIZED.
/// </summary>
public static class ClientApiEndpoints
{
    private sealed class MatrixRoute;
    private static readonly MatrixRoute Marker = new();
    private const string CorsMethods = "GET, POST, PUT, DELETE, OPTIONS";
    private const string CorsHeaders = "X-Requested-With, Content-Type, Authorization, Date";

    public static void MapMatrixClientApi(this WebApplication app, Homeserver server, int clientPort)
    {
        app.Use(async (context, next) =>
        {
            // No answer of this API is meant to be sniffed into another type (uploaded media least of all).
            context.Response.Headers.XContentTypeOptions = "nosniff";
            if (context.Connection.LocalPort != clientPort)
            {
                await Error(context, 404, "M_UNRECOGNIZED", "Unrecognized request").ConfigureAwait(false);
                return;
            }
            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = "*";
            headers.AccessControlAllowMethods = CorsMethods;
            headers.AccessControlAllowHeaders = CorsHeaders;
            if (HttpMethods.IsOptions(context.Request.Method))
            {
                context.Response.StatusCode = 204;
                return;
            }
            var endpoint = context.GetEndpoint();
            if (endpoint is null)
            {
                MatrixLog.UnknownEndpoint(server.Logger, context.Request.Method, context.Request.Path.ToString());
                await Error(context, 404, "M_UNRECOGNIZED", "Unrecognized request").ConfigureAwait(false);
                return;
            }
            if (endpoint.Metadata.GetMetadata<MatrixRoute>() is null)
            {
                await Error(context, 405, "M_UNRECOGNIZED", "Unrecognized request: wrong method for this endpoint").ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });

        var map = new Mapper(app, server);
        DiscoveryHandlers.Map(map);
        AuthHandlers.Map(map);
        SyncHandler.Map(map);
        RoomHandlers.Map(map);
        EventHandlers.Map(map);
        EphemeralHandlers.Map(map);
        UserDataHandlers.Map(map);
        KeysHandlers.Map(map);
        MediaHandlers.Map(map);
        DirectoryHandlers.Map(map);
    }

    public static Task Error(HttpContext context, int status, string errcode, string message, long? retryAfterMs = null, string? adminContact = null)
    {
        // The HTTP header too (whole seconds, rounded up), for clients and proxies that read only that.
        if (retryAfterMs is { } ms) context.Response.Headers.RetryAfter = Math.Max(1, (ms + 999) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return MatrixRequest.WriteTyped(context, new ErrorBody(errcode, message, retryAfterMs, adminContact), MatrixJsonContext.Default.ErrorBody, status);
    }

    /// <summary>Maps handlers with the wrapper that authenticates and turns exceptions into spec errors.</summary>
    public sealed class Mapper(WebApplication app, Homeserver server)
    {
        private readonly BurstLog _badRequests = new(server.Time, TimeSpan.FromSeconds(10));

        public Homeserver Server => server;

        /// <summary>A client API route under /_matrix/client/v3 and /_matrix/client/r0.</summary>
        public void Client(string method, string path, Func<MatrixRequest, Task> handler, bool auth = true)
        {
            Raw(method, "/_matrix/client/v3" + path, handler, auth);
            Raw(method, "/_matrix/client/r0" + path, handler, auth);
        }

        public void Raw(string method, string pattern, Func<MatrixRequest, Task> handler, bool auth = true) =>
            app.MapMethods(pattern, [method], Wrap(handler, auth)).WithMetadata(Marker);

        private RequestDelegate Wrap(Func<MatrixRequest, Task> handler, bool auth) => async context =>
        {
            var request = new MatrixRequest(context, server);
            try
            {
                if (auth) request.Authenticate();
                await handler(request).ConfigureAwait(false);
            }
            catch (MatrixException e)
            {
                if (e.Status == 403 && auth) MatrixLog.Refused(server.Logger, request.UserId, e.Message);
                if (!context.Response.HasStarted) await Error(context, e.Status, e.ErrCode, e.Message, e.RetryAfterMs, e.AdminContact).ConfigureAwait(false);
            }
            catch (EdgeNode.Core.Storage.StoreFullException)
            {
                // The store logged it once; the client is told to come back later, as for any resource limit.
                if (!context.Response.HasStarted) await Error(context, 403, "M_RESOURCE_LIMIT_EXCEEDED", "The server's storage is full; try again later", null, server.AdminContact).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == 413)
            {
                if (!context.Response.HasStarted) await Error(context, 413, "M_TOO_LARGE", "The request body is too large").ConfigureAwait(false);
            }
            catch (BadHttpRequestException e)
            {
                // The client's fault, not the server's (a body too slow: 408; cut short or malformed: 400): its own
                // status, no stack trace, and one log line per burst however many connections do it.
                if (_badRequests.Count(out int count)) MatrixLog.BadRequests(server.Logger, count, context.Connection.RemoteIpAddress?.ToString() ?? "?", e.StatusCode, e.Message);
                if (!context.Response.HasStarted) await Error(context, e.StatusCode, "M_UNKNOWN", e.StatusCode == 408 ? "The request body arrived too slowly" : "Bad request").ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                MatrixLog.RequestFailed(server.Logger, e, context.Request.Method, context.Request.Path.ToString());
                if (!context.Response.HasStarted) await Error(context, 500, "M_UNKNOWN", "Internal server error").ConfigureAwait(false);
            }
        };
    }
}
