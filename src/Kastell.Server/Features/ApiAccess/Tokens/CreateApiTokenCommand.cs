using System.Globalization;
using Kastell.Server.Features.ApiAccess.ServiceAccounts;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.ApiAccess.Tokens;

/// <summary>What a new token is for: whose (a person or a service account), what it is called, how long it lives, what it may do and where.</summary>
/// <param name="Spaces">The Spaces it is limited to; empty for the whole organization.</param>
public sealed record TokenRequest(ApiTokenKind Kind, Guid SubjectId, string Name, int LifetimeDays, IReadOnlyCollection<string> Permissions, IReadOnlyCollection<Guid> Spaces);

/// <summary>A token just made: the secret, shown this once and never again, and its row's id.</summary>
public sealed record CreatedToken(Guid Id, string Secret, DateTimeOffset ExpiresAt);

/// <summary>
/// Issues an API token in the request's organization. The caller has already proven who they are (a re-authentication
/// on the page; the operator's shell for the command line) and may issue it (a person for themselves; owners and admins
/// for service accounts, checked by the caller's page or endpoint). A token may carry only permissions its subject
/// holds now — organization permissions on the organization, Space permissions on at least one Space in its reach,
/// permissions on a Space's objects only if the subject reads a Space in its reach — and every use intersects them
/// again with what the subject holds then.
/// </summary>
public sealed class CreateApiTokenCommand(KastellDbContext db, Tenant tenant, Permissions permissions, TokenPermissionCatalog catalog, IAuditLog audit, TimeProvider time)
{
    public const int MaxLifetimeDays = 366;
    public const int MaxNameLength = 100;

    public async Task<Result<CreatedToken>> ExecuteAsync(TokenRequest request, AuditActor createdBy, CancellationToken cancellationToken = default)
    {
        var organization = tenant.RequireOrganizationId();
        var name = request.Name.Trim();
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            return ApiAccessErrors.TokenNameInvalid;
        }

        if (request.LifetimeDays is < 1 or > MaxLifetimeDays)
        {
            return ApiAccessErrors.TokenLifetimeOutOfRange;
        }

        if (request.Permissions.Count == 0)
        {
            return ApiAccessErrors.TokenNeedsPermissions;
        }

        var wanted = new List<TokenPermission>();
        foreach (var name_ in request.Permissions.Distinct(StringComparer.Ordinal))
        {
            if (catalog.Find(name_) is not { } permission)
            {
                return ApiAccessErrors.TokenPermissionUnknown;
            }

            wanted.Add(permission);
        }

        var spaces = request.Spaces.Distinct().ToList();
        if (spaces.Count > 0 && await db.Spaces.CountAsync(s => spaces.Contains(s.Id), cancellationToken) != spaces.Count)
        {
            return ApiAccessErrors.TokenSpaceUnknown;
        }

        if (request.Kind == ApiTokenKind.ServiceAccount
            && await db.ServiceAccounts.AsNoTracking().SingleOrDefaultAsync(s => s.Id == request.SubjectId, cancellationToken) is var account
            && (account is null || account.DisabledAt is not null))
        {
            return account is null ? Failures.NotFound : ApiAccessErrors.ServiceAccountDisabled;
        }

        var subject = ApiTokenReach.SubjectOf(request.Kind, request.SubjectId);
        foreach (var permission in wanted)
        {
            if (!await HoldsAsync(subject, organization, permission, spaces, cancellationToken))
            {
                return ApiAccessErrors.TokenPermissionNotHeld;
            }
        }

        var secret = ApiTokenSecret.Create(request.Kind);
        var now = time.GetUtcNow();
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organization,
            UserId = request.Kind == ApiTokenKind.Personal ? request.SubjectId : null,
            ServiceAccountId = request.Kind == ApiTokenKind.ServiceAccount ? request.SubjectId : null,
            Name = name,
            Hint = ApiTokenSecret.Hint(secret),
            SecretHash = ApiTokenSecret.Hash(secret),
            Permissions = ApiTokenReach.FormatPermissions(wanted.Select(p => p.Name)),
            Spaces = ApiTokenReach.FormatSpaces(spaces),
            CreatedAt = now,
            CreatedBy = createdBy.Id ?? createdBy.Kind.ToString(),
            ExpiresAt = now.AddDays(request.LifetimeDays),
        };
        db.ApiTokens.Add(token);
        audit.Record(new(request.Kind == ApiTokenKind.Personal ? ApiAccessEvents.PersonalTokenCreated : ApiAccessEvents.ServiceAccountTokenCreated,
            createdBy, new AuditTarget("api_token", token.Id.ToString()), Details: new Dictionary<string, string>
            {
                ["subject"] = subject,
                ["name"] = name,
                ["permissions"] = token.Permissions,
                ["spaces"] = token.Spaces ?? "all",
                ["expires"] = token.ExpiresAt.ToString("O", CultureInfo.InvariantCulture),
                ["hint"] = token.Hint,
            }));
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedToken(token.Id, secret, token.ExpiresAt);
    }

    private async Task<bool> HoldsAsync(string subject, Guid organization, TokenPermission permission, List<Guid> spaces, CancellationToken cancellationToken)
    {
        switch (permission.Type)
        {
            case "organization":
                return spaces.Count == 0 && await permissions.SubjectHoldsAsync(subject, "organization", organization, permission.Permission, cancellationToken);
            case "space":
                var candidates = spaces.Count > 0 ? spaces : await permissions.SubjectObjectsAsync(subject, "space", permission.Permission, cancellationToken);
                foreach (var space in candidates)
                {
                    if (await permissions.SubjectHoldsAsync(subject, "space", space, permission.Permission, cancellationToken))
                    {
                        return true;
                    }
                }

                return false;
            case "team":
                // The organization's teams (there may be none yet): in reach of an organization-wide token only, for a
                // subject who reads the organization. What it may do to a team is asked of the subject at each use.
                return spaces.Count == 0 && await permissions.SubjectHoldsAsync(subject, "organization", organization, "can_read", cancellationToken);
            default:
                // Objects inside Spaces (files, …): there may be none yet, so the subject must read a Space in reach.
                var readable = spaces.Count > 0 ? spaces : await permissions.SubjectObjectsAsync(subject, "space", "can_read", cancellationToken);
                foreach (var space in readable)
                {
                    if (await permissions.SubjectHoldsAsync(subject, "space", space, "can_read", cancellationToken))
                    {
                        return true;
                    }
                }

                return false;
        }
    }
}
