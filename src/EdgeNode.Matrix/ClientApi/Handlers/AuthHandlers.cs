using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EdgeNode.Core.Accounts;
using EdgeNode.Core.Addressing;
using EdgeNode.Matrix.Users;

namespace EdgeNode.Matrix.ClientApi.Handlers;

/// <summary>Login with the XMPP account's password, logout, whoami, and registration (closed unless tokens are configured).</summary>
internal static class AuthHandlers
{
    public static void Map(ClientApiEndpoints.Mapper map)
    {
        map.Client("GET", "/login", r => r.JsonAsync(new JsonObject { ["flows"] = new JsonArray(new JsonObject { ["type"] = "m.login.password" }) }), auth: false);
        map.Client("POST", "/login", Login, auth: false);
        map.Client("POST", "/logout", Logout);
        map.Client("POST", "/logout/all", LogoutAll);
        map.Client("GET", "/account/whoami", r => r.JsonAsync(new WhoAmIResponse(r.UserId, r.DeviceId, false), MatrixJsonContext.Default.WhoAmIResponse));
        map.Client("POST", "/register", Register, auth: false);
        map.Client("GET", "/register/available", Available, auth: false);
        map.Raw("GET", "/_matrix/client/v1/register/m.login.registration_token/validity", TokenValidity, auth: false);
    }

    private static async Task Login(MatrixRequest r)
    {
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var type = JsonBody.String(body, "type");
        if (type != "m.login.password") throw new MatrixException(400, "M_UNKNOWN", $"Login type {type} is not supported; use m.login.password");
        string? user;
        if (JsonBody.OptObject(body, "identifier") is { } identifier)
        {
            if (JsonBody.OptString(identifier, "type") != "m.id.user") throw new MatrixException(400, "M_UNKNOWN", "Only m.id.user identifiers are supported");
            user = JsonBody.String(identifier, "user");
        }
        else
        {
            user = JsonBody.String(body, "user");
        }
        var password = JsonBody.String(body, "password");
        var localpart = LocalPartOfLoginName(r.Server, user);
        // The same account key as an XMPP login (the bare JID), so both count against one budget.
        var account = (localpart ?? user) + "@" + r.Server.ServerName;
        if (r.Server.Logins.RetryAfter(account, r.RemoteAddress) is { } wait)
        {
            MatrixLog.LoginRateLimited(r.Server.Logger, account, r.RemoteAddress);
            throw LimitExceeded(wait);
        }
        if (localpart is null || !Jid.TryParse(localpart + "@" + r.Server.ServerName, out var jid) || jid.Local is null
            || !r.Server.Accounts.VerifyPassword(jid, password))
        {
            // The same wrong password again (a client retrying what it stored) counts once.
            r.Server.Logins.RecordFailure(account, r.RemoteAddress, password);
            MatrixLog.LoginFailed(r.Server.Logger, account, r.RemoteAddress);
            throw MatrixException.Forbidden("Invalid username or password");
        }
        // As over XMPP: the pair's count goes, and the address is one this account is known to log in from.
        r.Server.Logins.RecordSuccess(account, r.RemoteAddress);
        var userId = r.Server.UserId(jid.Local);
        var deviceId = JsonBody.OptString(body, "device_id");
        if (deviceId is { Length: 0 or > 128 }) throw MatrixException.InvalidParam("device_id must be 1 to 128 characters");
        var displayName = JsonBody.OptString(body, "initial_device_display_name");
        var (token, device) = r.Server.Write(db => Sessions.Create(db, userId, deviceId, displayName, r.Server.Now));
        MatrixLog.LoggedIn(r.Server.Logger, userId, device);
        r.Server.DeviceRooms.OnLoggedIn(userId);
        r.Server.FrontEnd?.People.LoggedIn(userId);
        await r.JsonAsync(new LoginResponse(userId, token, device, r.Server.ServerName), MatrixJsonContext.Default.LoginResponse).ConfigureAwait(false);
    }

    /// <summary>The answer while the login guard makes the client wait: 429 with retry_after_ms (and Retry-After).</summary>
    internal static MatrixException LimitExceeded(TimeSpan wait) =>
        new(429, "M_LIMIT_EXCEEDED", LoginWait.TooMany(wait)) { RetryAfterMs = LoginWait.Seconds(wait) * 1000 };

    /// <summary>
    /// The local part a login names: a Matrix user id (`@alice:pi.example`), the account form every `edgenode user`
    /// verb and XMPP client uses (`alice@pi.example`), or the bare local part (`alice`). Null for another server's user.
    /// </summary>
    internal static string? LocalPartOfLoginName(Homeserver server, string user)
    {
        if (user.StartsWith('@')) return server.LocalPart(user);
        var at = user.LastIndexOf('@');
        if (at < 0) return user.ToLowerInvariant();
        return string.Equals(user[(at + 1)..], server.ServerName, StringComparison.OrdinalIgnoreCase) ? user[..at].ToLowerInvariant() : null;
    }

    private static Task Logout(MatrixRequest r)
    {
        r.Server.Write(db => Sessions.RemoveDevice(db, r.UserId, r.DeviceId));
        MatrixLog.LoggedOut(r.Server.Logger, r.UserId, r.DeviceId);
        return r.EmptyAsync();
    }

    private static Task LogoutAll(MatrixRequest r)
    {
        r.Server.Write(db =>
        {
            foreach (var device in Sessions.Devices(db, r.UserId)) Sessions.RemoveDevice(db, r.UserId, device);
            db.Execute("DELETE FROM matrix_access_tokens WHERE user_id = $u", ("$u", r.UserId));
        });
        MatrixLog.LoggedOut(r.Server.Logger, r.UserId, "*");
        return r.EmptyAsync();
    }

    private static void RequireRegistration(MatrixRequest r)
    {
        if (r.Server.Options.RegistrationTokens.Count == 0) throw MatrixException.Forbidden("Registration is disabled on this server");
    }

    private static bool ValidToken(MatrixRequest r, string? token)
    {
        if (token is null) return false;
        var given = Encoding.UTF8.GetBytes(token);
        var valid = false;
        foreach (var t in r.Server.Options.RegistrationTokens)
            valid |= CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(t));
        return valid;
    }

    private static async Task Register(MatrixRequest r)
    {
        if (r.Query("kind") == "guest") throw MatrixException.Forbidden("Guest access is disabled");
        RequireRegistration(r);
        var body = await r.JsonBodyAsync().ConfigureAwait(false);
        var auth = JsonBody.OptObject(body, "auth");
        var session = auth is null ? RoomStoreIds() : JsonBody.OptString(auth, "session") ?? RoomStoreIds();
        if (auth is null || JsonBody.OptString(auth, "type") != "m.login.registration_token" || !ValidToken(r, JsonBody.OptString(auth, "token")))
        {
            var challenge = new JsonObject
            {
                ["flows"] = new JsonArray(new JsonObject { ["stages"] = new JsonArray("m.login.registration_token") }),
                ["params"] = new JsonObject(),
                ["session"] = session,
            };
            if (auth is not null)
            {
                challenge["errcode"] = "M_FORBIDDEN";
                challenge["error"] = "Invalid registration token";
            }
            await r.JsonAsync(challenge, 401).ConfigureAwait(false);
            return;
        }
        var username = (JsonBody.OptString(body, "username") ?? throw MatrixException.MissingParam("username is required")).ToLowerInvariant();
        var password = JsonBody.String(body, "password");
        if (!ValidLocalpart(username) || !Jid.TryParse(username + "@" + r.Server.ServerName, out var jid))
            throw new MatrixException(400, "M_INVALID_USERNAME", "User names may hold a-z, 0-9 and . _ = - /");
        if (!PasswordRules.IsAcceptable(password, out var problem)) throw new MatrixException(400, "M_WEAK_PASSWORD", problem ?? "Unacceptable password");
        RequireNotDevice(r.Server, username);
        try
        {
            r.Server.Accounts.Add(jid, password);
        }
        catch (AccountExistsException)
        {
            throw new MatrixException(400, "M_USER_IN_USE", "That user name is taken");
        }
        var userId = r.Server.UserId(username);
        MatrixLog.Registered(r.Server.Logger, userId);
        if (JsonBody.OptBool(body, "inhibit_login") == true)
        {
            await r.JsonAsync(new JsonObject { ["user_id"] = userId, ["home_server"] = r.Server.ServerName }).ConfigureAwait(false);
            return;
        }
        var (token, device) = r.Server.Write(db => Sessions.Create(db, userId, JsonBody.OptString(body, "device_id"),
            JsonBody.OptString(body, "initial_device_display_name"), r.Server.Now));
        r.Server.DeviceRooms.OnLoggedIn(userId);
        r.Server.FrontEnd?.People.LoggedIn(userId);
        await r.JsonAsync(new LoginResponse(userId, token, device, r.Server.ServerName), MatrixJsonContext.Default.LoginResponse).ConfigureAwait(false);
    }

    private static string RoomStoreIds() => Rooms.RoomStore.RandomId(24);

    private static Task Available(MatrixRequest r)
    {
        RequireRegistration(r);
        var name = (r.Query("username") ?? throw MatrixException.MissingParam("username is required")).ToLowerInvariant();
        if (!ValidLocalpart(name)) throw new MatrixException(400, "M_INVALID_USERNAME", "User names may hold a-z, 0-9 and . _ = - /");
        RequireNotDevice(r.Server, name);
        if (r.Server.Accounts.Exists(Jid.Parse(name + "@" + r.Server.ServerName))) throw new MatrixException(400, "M_USER_IN_USE", "That user name is taken");
        return r.JsonAsync(new JsonObject { ["available"] = true });
    }

    private static Task TokenValidity(MatrixRequest r)
    {
        RequireRegistration(r);
        return r.JsonAsync(new JsonObject { ["valid"] = ValidToken(r, r.Query("token")) });
    }

    /// <summary>
    /// A device participant's address is taken as surely as an account's: @plug1:domain already names the device
    /// plug1 in every protocol, so a user registering that name would take its messages.
    /// </summary>
    internal static void RequireNotDevice(Homeserver server, string localpart)
    {
        if (server.IsDeviceLocalpart(localpart)) throw new MatrixException(400, "M_USER_IN_USE", "That user name is a device's address on this server");
    }

    /// <summary>The localpart grammar of the spec's user IDs (lower case), which is also a valid XMPP localpart.</summary>
    public static bool ValidLocalpart(string name)
    {
        if (name.Length is 0 or > 64) return false;
        foreach (var c in name)
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '_' or '=' or '-')) return false;
        return true;
    }
}
