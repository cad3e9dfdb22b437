using System.Security.Claims;
using System.Text.Encodings.Web;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Identity.Tokens;

/// <summary>
/// The API's one authentication scheme: <c>Authorization: Bearer kastell_pat_…</c> (or <c>kastell_sat_…</c>). The token
/// is looked up by its SHA-256 on every request — no cache — so a revocation takes effect on the next request in
/// every process. A malformed, unknown, expired or revoked token fails alike (the caller cannot tell them apart); an
/// expired or revoked one is recorded on its organization's audit chain. Session cookies are never read here: the API
/// pipeline authenticates with this scheme only, so a cross-site request riding on a browser's cookies is anonymous.
/// </summary>
internal sealed partial class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    KastellDbContext db,
    TimeProvider time,
    TenantScopes scopes)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "KastellApiToken";

    /// <summary>How stale the "last used" column may get: updating it on every request would be a write per read.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(5);

    /// <summary>Why authentication failed, for the log only (never for the caller).</summary>
    private const string Refused = "The API token is not valid.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            || header[bearer.Length..].Trim() is not { } token
            || !ApiTokenSecret.IsWellFormed(token, out var kind))
        {
            return AuthenticateResult.Fail(Refused);
        }

        var hash = ApiTokenSecret.Hash(token);
        var row = await db.Set<ApiToken>().AsNoTracking().SingleOrDefaultAsync(t => t.SecretHash == hash, Context.RequestAborted);
        if (row is null || !ApiTokenSecret.HashesMatch(row.SecretHash, hash) || (row.ServiceAccountId is null) != (kind == ApiTokenKind.Personal))
        {
            return AuthenticateResult.Fail(Refused);
        }

        var now = time.GetUtcNow();
        if (!row.IsUsable(now))
        {
            await RecordRefusalAsync(row, now);
            return AuthenticateResult.Fail(Refused);
        }

        if (row.LastUsedAt is not { } lastUsed || now - lastUsed > LastUsedResolution)
        {
            await db.Set<ApiToken>().Where(t => t.Id == row.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var grant = new ApiTokenGrant(
            row.Id,
            row.OrganizationId,
            kind,
            kind == ApiTokenKind.Personal ? row.UserId!.Value : row.ServiceAccountId!.Value,
            ApiTokenReach.ParsePermissions(row.Permissions),
            ApiTokenReach.ParseSpaces(row.Spaces));
        Context.Features.Set(grant);
        // No name identifier: nothing that reads a session's user from the claims can mistake a token for a session.
        var identity = new ClaimsIdentity([new Claim("kastell:token", row.Id.ToString("D"))], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    /// <summary>A revoked or expired token in use is worth knowing about: its organization's administrators see it.</summary>
    private async Task RecordRefusalAsync(ApiToken row, DateTimeOffset now)
    {
        await using var scope = scopes.Enter(row.OrganizationId, AuditActor.ApiToken(row.Id));
        await scope.Get<IAuditLog>().RecordNowAsync(new(ApiTokenEvents.ApiTokenRefused, AuditActor.ApiToken(row.Id),
            new AuditTarget("api_token", row.Id.ToString()), AuditOutcome.Denied,
            new Dictionary<string, string> { ["reason"] = row.RevokedAt is not null ? "revoked" : "expired" }), CancellationToken.None);
        LogRefused(Logger, row.Id, row.RevokedAt is not null ? "revoked" : row.ExpiresAt <= now ? "expired" : "unusable");
    }

    [LoggerMessage(EventId = 9200, Level = LogLevel.Warning, Message = "API token {TokenId} was presented but is {Reason}.")]
    private static partial void LogRefused(ILogger logger, Guid tokenId, string reason);
}
