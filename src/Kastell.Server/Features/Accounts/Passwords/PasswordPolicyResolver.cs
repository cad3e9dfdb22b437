using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts.Passwords;

/// <summary>
/// Finds the policy that applies to a user: a member of several organizations must satisfy the strictest
/// combination of their policies; a user without an organization yet (during sign-up) gets the default.
/// </summary>
internal sealed class PasswordPolicyResolver(KastellDbContext db)
{
    public async Task<PasswordPolicy> ForUserAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        // Cross-tenant on purpose: a password belongs to the person, not to one organization.
        var policies = await db.OrganizationMembers.IgnoreQueryFilters().AsNoTracking()
            .Where(m => m.UserId == userId)
            .Join(db.Organizations, m => m.OrganizationId, o => o.Id, (m, o) => o.PasswordPolicy)
            .ToListAsync(cancellationToken);
        return Strictest(policies);
    }

    public static PasswordPolicy Strictest(IReadOnlyCollection<PasswordPolicy> policies)
    {
        if (policies.Count == 0)
        {
            return new PasswordPolicy();
        }

        return new PasswordPolicy
        {
            MinimumLength = policies.Max(p => p.MinimumLength),
            RequireUppercase = policies.Any(p => p.RequireUppercase),
            RequireLowercase = policies.Any(p => p.RequireLowercase),
            RequireDigit = policies.Any(p => p.RequireDigit),
            RequireSymbol = policies.Any(p => p.RequireSymbol),
            HistoryLength = policies.Max(p => p.HistoryLength),
        };
    }
}
