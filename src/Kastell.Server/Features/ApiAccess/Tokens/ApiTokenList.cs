using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity.Tokens;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.ApiAccess.Tokens;

/// <summary>A token as lists show it: never its secret or hash.</summary>
public sealed record TokenRow(Guid Id, Guid OrganizationId, string Name, string Hint, string Permissions, string? Spaces, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>Tokens for the pages and the command line, newest first.</summary>
public sealed class ApiTokenList(KastellDbContext db)
{
    /// <summary>A person's personal access tokens, in every organization.</summary>
    public Task<List<TokenRow>> OfUserAsync(Guid userId, CancellationToken cancellationToken = default) =>
        Rows(db.ApiTokens.Where(t => t.UserId == userId)).ToListAsync(cancellationToken);

    /// <summary>A person's personal access tokens in one organization.</summary>
    public Task<List<TokenRow>> OfUserAsync(Guid userId, Guid organizationId, CancellationToken cancellationToken = default) =>
        Rows(db.ApiTokens.Where(t => t.UserId == userId && t.OrganizationId == organizationId)).ToListAsync(cancellationToken);

    /// <summary>A service account's tokens (of the given organization).</summary>
    public Task<List<TokenRow>> OfServiceAccountAsync(Guid organizationId, Guid serviceAccountId, CancellationToken cancellationToken = default) =>
        Rows(db.ApiTokens.Where(t => t.OrganizationId == organizationId && t.ServiceAccountId == serviceAccountId)).ToListAsync(cancellationToken);

    private static IQueryable<TokenRow> Rows(IQueryable<ApiToken> tokens) =>
        tokens.AsNoTracking().OrderByDescending(t => t.Id)
            .Select(t => new TokenRow(t.Id, t.OrganizationId, t.Name, t.Hint, t.Permissions, t.Spaces, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt));
}
