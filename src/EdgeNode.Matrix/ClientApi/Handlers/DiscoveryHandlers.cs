using System.Text.Json.Nodes;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>/.well-known/matrix/client, /versions and /capabilities.</summary>
internal static class DiscoveryHandlers
{
    // The spec versions whose endpoints this node serves (see README "Matrix" for what is left out).
    private static readonly string[] Versions = ["r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11"];

    public static void Map(ClientApiEndpoints.Mapper map)
    {
        map.Raw("GET", "/.well-known/matrix/client", WellKnown, auth: false);
        map.Raw("GET", "/_matrix/client/versions", r => r.JsonAsync(new VersionsResponse(Versions, []), MatrixJsonContext.Default.VersionsResponse), auth: false);
        map.Client("GET", "/capabilities", Capabilities);
        map.Client("GET", "/thirdparty/protocols", r => r.EmptyAsync());
        map.Client("GET", "/account/3pid", r => r.JsonAsync(new JsonObject { ["threepids"] = new JsonArray() }));
    }

    // From configuration only: the Host header is the client's to choose, and a cache in front would hand a
    // forged one to everyone.
    private static Task WellKnown(MatrixRequest r) =>
        r.JsonAsync(new JsonObject { ["m.homeserver"] = new JsonObject { ["base_url"] = r.Server.BaseUrl } });

    private static Task Capabilities(MatrixRequest r) => r.JsonAsync(new JsonObject
    {
        ["capabilities"] = new JsonObject
        {
            ["m.change_password"] = new JsonObject { ["enabled"] = false },
            ["m.room_versions"] = new JsonObject
            {
                ["default"] = r.Server.DefaultRoomVersion.Id,
                ["available"] = new JsonObject { ["10"] = "stable", ["11"] = "stable", ["12"] = "stable" },
            },
            ["m.set_displayname"] = new JsonObject { ["enabled"] = true },
            ["m.set_avatar_url"] = new JsonObject { ["enabled"] = true },
            ["m.3pid_changes"] = new JsonObject { ["enabled"] = false },
            ["m.get_login_token"] = new JsonObject { ["enabled"] = false },
        },
    });
}
