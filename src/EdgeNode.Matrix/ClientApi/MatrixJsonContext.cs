using System.Text.Json.Serialization;

namespace EdgeNode.Matrix.ClientApi;

/// <summary>The error body of every failed request (client-server API "Standard error response").</summary>
public sealed record ErrorBody(
    [property: JsonPropertyName("errcode")] string ErrCode,
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("retry_after_ms")] long? RetryAfterMs = null,
    [property: JsonPropertyName("admin_contact")] string? AdminContact = null);

public sealed record LoginResponse(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("device_id")] string DeviceId,
    [property: JsonPropertyName("home_server")] string HomeServer);

public sealed record WhoAmIResponse(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("device_id")] string DeviceId,
    [property: JsonPropertyName("is_guest")] bool IsGuest);

public sealed record VersionsResponse(
    [property: JsonPropertyName("versions")] string[] Versions,
    [property: JsonPropertyName("unstable_features")] Dictionary<string, bool> UnstableFeatures);

public sealed record EventIdResponse([property: JsonPropertyName("event_id")] string EventId);

public sealed record RoomIdResponse([property: JsonPropertyName("room_id")] string RoomId);

/// <summary>Source-generated serialisation for the fixed-shape responses; event content stays JsonNode.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(LoginResponse))]
[JsonSerializable(typeof(WhoAmIResponse))]
[JsonSerializable(typeof(VersionsResponse))]
[JsonSerializable(typeof(EventIdResponse))]
[JsonSerializable(typeof(RoomIdResponse))]
public sealed partial class MatrixJsonContext : JsonSerializerContext;
