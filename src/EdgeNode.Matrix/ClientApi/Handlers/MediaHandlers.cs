using System.Text.Json.Nodes;
using EdgeNode.Matrix.Rooms;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>
/// Media upload and download, on the legacy /_matrix/media paths and the authenticated /_matrix/client/v1/media
/// paths. Files live in the data directory (media/), their metadata in the store. Thumbnails are the original file.
/// One upload is at most Matrix:MaxUploadBytes (413 M_TOO_LARGE, and m.upload.size in the config); all of a user's
/// uploads together at most Matrix:MediaQuotaBytesPerUser (403 M_RESOURCE_LIMIT_EXCEEDED). The legacy download and
/// thumbnail paths ask for no login, so anyone who learns a media ID could fetch the file: they answer 404 M_NOT_FOUND
/// (as a server that froze its legacy media does) unless Matrix:LegacyMediaDownloads is on.
/// </summary>
internal static class MediaHandlers
{
    private static readonly HashSet<string> InlineTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/apng", "image/avif", "video/mp4", "video/webm", "audio/mpeg", "audio/ogg", "audio/wav", "audio/webm", "text/plain",
    };

    public static void Map(ClientApiEndpoints.Mapper map)
    {
        foreach (var legacy in (ReadOnlySpan<string>)["/_matrix/media/v3", "/_matrix/media/r0"])
        {
            map.Raw("POST", legacy + "/upload", Upload);
            map.Raw("GET", legacy + "/config", Config);
            map.Raw("GET", legacy + "/download/{serverName}/{mediaId}", LegacyDownload, auth: false);
            map.Raw("GET", legacy + "/download/{serverName}/{mediaId}/{fileName}", LegacyDownload, auth: false);
            map.Raw("GET", legacy + "/thumbnail/{serverName}/{mediaId}", LegacyDownload, auth: false);
        }
        map.Raw("GET", "/_matrix/client/v1/media/config", Config);
        map.Raw("GET", "/_matrix/client/v1/media/download/{serverName}/{mediaId}", Download);
        map.Raw("GET", "/_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName}", Download);
        map.Raw("GET", "/_matrix/client/v1/media/thumbnail/{serverName}/{mediaId}", Download);
    }

    private static Task Config(MatrixRequest r) => r.JsonAsync(new JsonObject { ["m.upload.size"] = r.Server.Options.MaxUploadBytes });

    private static async Task Upload(MatrixRequest r)
    {
        var limit = r.Server.Options.MaxUploadBytes;
        var contentType = r.Http.Request.ContentType is { Length: > 0 and <= 255 } ct ? ct : "application/octet-stream";
        var fileName = r.Query("filename");
        if (fileName is { Length: > 255 }) throw MatrixException.InvalidParam("filename is too long");
        if (r.Http.Request.ContentLength > limit) throw MatrixException.TooLarge($"Uploads are limited to {limit} bytes");
        var quota = r.Server.Options.MediaQuotaBytesPerUser;
        var room = quota > 0 ? Math.Max(0, quota - r.Server.Read(db => UsedBytes(db, r.UserId))) : long.MaxValue;
        if (r.Http.Request.ContentLength > room) throw QuotaReached(r, quota);
        Directory.CreateDirectory(r.Server.MediaDirectory);
        var mediaId = RoomStore.RandomId(24);
        var path = Path.Combine(r.Server.MediaDirectory, mediaId);
        var temporary = path + ".part";
        long size = 0;
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536, useAsync: true))
            {
                var buffer = new byte[65536];
                int read;
                while ((read = await r.Http.Request.Body.ReadAsync(buffer, r.Aborted).ConfigureAwait(false)) > 0)
                {
                    size += read;
                    if (size > limit) throw MatrixException.TooLarge($"Uploads are limited to {limit} bytes");
                    if (size > room) throw QuotaReached(r, quota);
                    await file.WriteAsync(buffer.AsMemory(0, read), r.Aborted).ConfigureAwait(false);
                }
            }
            File.Move(temporary, path);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        try
        {
            r.Server.Write(db =>
            {
                // Checked again inside the write: uploads running side by side each saw the same room above.
                if (quota > 0 && UsedBytes(db, r.UserId) + size > quota) throw QuotaReached(r, quota);
                db.Execute("INSERT INTO matrix_media (media_id, content_type, filename, size, user_id, created_at) VALUES ($m, $c, $f, $s, $u, $t)",
                    ("$m", mediaId), ("$c", contentType), ("$f", fileName), ("$s", size), ("$u", r.UserId), ("$t", r.Server.Now));
            });
        }
        catch (MatrixException)
        {
            File.Delete(path);
            throw;
        }
        await r.JsonAsync(new JsonObject { ["content_uri"] = $"mxc://{r.Server.ServerName}/{mediaId}" }).ConfigureAwait(false);
    }

    private static long UsedBytes(Storage.Db db, string userId) =>
        (long)db.Scalar("SELECT coalesce(sum(size), 0) FROM matrix_media WHERE user_id = $u", ("$u", userId))!;

    // The spec's answer for a user over an upload quota is 403; the quota is a limit the server set, with someone to ask.
    private static MatrixException QuotaReached(MatrixRequest r, long quota)
    {
        MatrixLog.MediaQuotaReached(r.Server.Logger, r.UserId, quota);
        return MatrixException.ResourceLimit($"Your uploads would exceed the {quota} bytes this server keeps for one user", r.Server.AdminContact);
    }

    private static Task LegacyDownload(MatrixRequest r) => r.Server.Options.LegacyMediaDownloads
        ? Download(r)
        : throw MatrixException.NotFound("Media downloads without a login are off here: use /_matrix/client/v1/media/download with an access token");

    private static async Task Download(MatrixRequest r)
    {
        var serverName = r.Route("serverName");
        var mediaId = r.Route("mediaId");
        if (serverName != r.Server.ServerName) throw MatrixException.NotFound("Remote media is not available without federation");
        var meta = r.Server.Read(db =>
        {
            using var query = db.Command("SELECT content_type, filename, size FROM matrix_media WHERE media_id = $m", ("$m", mediaId));
            using var row = query.ExecuteReader();
            return row.Read() ? (Type: row.GetString(0), Name: row.IsDBNull(1) ? null : row.GetString(1), Size: row.GetInt64(2)) : default;
        });
        var path = Path.Combine(r.Server.MediaDirectory, mediaId);
        if (meta.Type is null || !File.Exists(path)) throw MatrixException.NotFound("Media not found");
        var response = r.Http.Response;
        response.StatusCode = 200;
        response.ContentType = meta.Type;
        response.ContentLength = meta.Size;
        var name = r.Http.Request.RouteValues["fileName"] as string ?? meta.Name;
        var mediaType = meta.Type.Split(';')[0].Trim();
        var disposition = InlineTypes.Contains(mediaType) ? "inline" : "attachment";
        response.Headers.ContentDisposition = name is null ? disposition : $"{disposition}; filename*=utf-8''{Uri.EscapeDataString(name)}";
        // Uploaded files are untrusted: a browser must not run them as a page of this origin.
        response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';";
        response.Headers["Cross-Origin-Resource-Policy"] = "cross-origin";
        response.Headers.XContentTypeOptions = "nosniff";
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 65536, useAsync: true);
        await file.CopyToAsync(response.Body, r.Aborted).ConfigureAwait(false);
    }
}
