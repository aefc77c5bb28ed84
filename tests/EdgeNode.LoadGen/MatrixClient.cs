using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EdgeNode.LoadGen;

internal sealed record MatrixTarget(IPAddress Address, int Port, string ServerName)
{
    public Uri BaseUri => new($"http://{Address}:{Port}/");
}

/// <summary>What a syncing Matrix client hands on: the body of each m.room.message another user sent.</summary>
internal interface IMatrixSink
{
    void OnBody(MatrixClient client, string roomId, string sender, string body);
}

/// <summary>
/// A minimal Matrix client over the client-server API (plain HTTP on loopback): password log-in, a direct room,
/// sends, and a long-polling sync loop that joins the rooms it is invited to. Enough for the bridge scenarios; JSON
/// through JsonDocument (no serialisation contracts needed).
/// </summary>
internal sealed class MatrixClient : IDisposable
{
    private readonly HttpClient _http;
    private long _txn;

    private MatrixClient(HttpClient http, string user, string userId)
    {
        _http = http;
        User = user;
        UserId = userId;
    }

    public string User { get; }

    public string UserId { get; }

    /// <summary>Free for the scenario (the index of the partner, say).</summary>
    public int Tag { get; set; }

    public static async Task<MatrixClient> LoginAsync(MatrixTarget target, string user, string password, CancellationToken ct)
    {
        // Two connections: the long-polling sync holds one, sends use the other.
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4, UseProxy = false })
        {
            BaseAddress = target.BaseUri,
            Timeout = TimeSpan.FromSeconds(90),
        };
        try
        {
            string body = $$"""{"type":"m.login.password","identifier":{"type":"m.id.user","user":"{{user}}"},"password":"{{password}}","initial_device_display_name":"edgenode-loadgen"}""";
            using JsonDocument answer = await PostAsync(http, "_matrix/client/v3/login", body, ct);
            string token = answer.RootElement.GetProperty("access_token").GetString()!;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return new MatrixClient(http, user, answer.RootElement.GetProperty("user_id").GetString()!);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Opens a direct chat with <paramref name="invitee"/> as a Matrix client does (private chat preset, is_direct).</summary>
    public async Task<string> CreateDirectRoomAsync(string invitee, CancellationToken ct)
    {
        string body = $$"""{"preset":"trusted_private_chat","is_direct":true,"invite":["{{invitee}}"]}""";
        using JsonDocument answer = await PostAsync(_http, "_matrix/client/v3/createRoom", body, ct);
        string room = answer.RootElement.GetProperty("room_id").GetString()!;
        // As Element does: the client itself lists the new room under the partner in m.direct (the harness's users
        // each have one partner, so the list is written whole), so that the next run finds it again.
        using var direct = new StringContent($$"""{"{{invitee}}":["{{room}}"]}""", Encoding.UTF8, "application/json");
        using HttpResponseMessage put = await _http.PutAsync($"_matrix/client/v3/user/{Uri.EscapeDataString(UserId)}/account_data/m.direct", direct, ct);
        await EnsureOkAsync(put, "account_data", ct);
        return room;
    }

    /// <summary>
    /// The direct room with <paramref name="partner"/> as a Matrix client finds it: the latest one listed under the
    /// partner in the user's m.direct account data (joined again to be sure), else a new one.
    /// </summary>
    public async Task<string> DirectRoomAsync(string partner, CancellationToken ct)
    {
        using HttpResponseMessage response = await _http.GetAsync($"_matrix/client/v3/user/{Uri.EscapeDataString(UserId)}/account_data/m.direct", ct);
        if (response.IsSuccessStatusCode)
        {
            using JsonDocument direct = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            if (direct.RootElement.TryGetProperty(partner, out JsonElement rooms) && rooms.ValueKind == JsonValueKind.Array && rooms.GetArrayLength() > 0)
            {
                string room = rooms[rooms.GetArrayLength() - 1].GetString()!;
                await JoinAsync(room, ct);
                return room;
            }
        }

        return await CreateDirectRoomAsync(partner, ct);
    }

    public async Task JoinAsync(string roomId, CancellationToken ct)
    {
        using JsonDocument _ = await PostAsync(_http, $"_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}", "{}", ct);
    }

    /// <summary>Sends one m.text message (the body is plain ASCII from the harness: no escaping needed).</summary>
    public async Task SendTextAsync(string roomId, string text, CancellationToken ct)
    {
        long txn = Interlocked.Increment(ref _txn);
        using var content = new StringContent($$"""{"msgtype":"m.text","body":"{{text}}"}""", Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _http.PutAsync(
            $"_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/send/m.room.message/lg{Environment.ProcessId}-{txn}", content, ct);
        await EnsureOkAsync(response, "send", ct);
    }

    /// <summary>
    /// Syncs until cancelled: the first sync only takes the position (earlier history is not this run's); after that
    /// every m.room.message from someone else goes to <paramref name="sink"/>, and invites are accepted.
    /// </summary>
    public async Task RunAsync(IMatrixSink sink, CancellationToken ct)
    {
        string? since = null;
        var joined = new HashSet<string>(StringComparer.Ordinal);
        while (!ct.IsCancellationRequested)
        {
            string path = since is null
                ? "_matrix/client/v3/sync?timeout=0&filter=" + Uri.EscapeDataString("""{"room":{"timeline":{"limit":1}}}""")
                : $"_matrix/client/v3/sync?timeout=30000&since={Uri.EscapeDataString(since)}";
            using HttpResponseMessage response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
            await EnsureOkAsync(response, "sync", ct);
            await using Stream stream = await response.Content.ReadAsStreamAsync(ct);
            using JsonDocument answer = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
            JsonElement root = answer.RootElement;
            bool first = since is null;
            since = root.GetProperty("next_batch").GetString();
            if (!root.TryGetProperty("rooms", out JsonElement rooms)) continue;
            if (rooms.TryGetProperty("invite", out JsonElement invites))
            {
                foreach (JsonProperty room in invites.EnumerateObject())
                {
                    if (joined.Add(room.Name)) await JoinAsync(room.Name, ct);
                }
            }

            if (first || !rooms.TryGetProperty("join", out JsonElement join)) continue;
            foreach (JsonProperty room in join.EnumerateObject())
            {
                if (!room.Value.TryGetProperty("timeline", out JsonElement timeline) || !timeline.TryGetProperty("events", out JsonElement events)) continue;
                foreach (JsonElement e in events.EnumerateArray())
                {
                    if (e.GetProperty("type").GetString() != "m.room.message") continue;
                    string sender = e.GetProperty("sender").GetString()!;
                    if (sender == UserId || !e.TryGetProperty("content", out JsonElement content)
                        || !content.TryGetProperty("body", out JsonElement body) || body.ValueKind != JsonValueKind.String) continue;
                    sink.OnBody(this, room.Name, sender, body.GetString()!);
                }
            }
        }
    }

    private static async Task<JsonDocument> PostAsync(HttpClient http, string path, string json, CancellationToken ct)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(path, content, ct);
        await EnsureOkAsync(response, path, ct);
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
    }

    private static async Task EnsureOkAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        string text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode == HttpStatusCode.NotFound && text.Contains("M_UNRECOGNIZED", StringComparison.Ordinal))
            throw new NotSupportedByServerException($"the server does not offer {what}");
        throw new HttpRequestException($"{what}: HTTP {(int)response.StatusCode}: {(text.Length > 300 ? text[..300] : text)}");
    }

    public void Dispose() => _http.Dispose();
}
