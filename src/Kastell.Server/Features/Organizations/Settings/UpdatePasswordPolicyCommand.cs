using Kastell.Server.Features.Accounts.Passwords;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Settings;

internal enum UpdatePasswordPolicyOutcome
{
    Saved,
    Forbidden,
    Invalid,
}

/// <summary>Changes the organization's password policy; owners and admins only, values within safe bounds.</summary>
internal sealed class UpdatePasswordPolicyCommand(KastellDbContext db, TenantAccess access)
{
    public const int MinimumAllowedLength = PasswordPolicy.AbsoluteMinimumLength;
    public const int MaximumAllowedLength = 128;

    public async Task<UpdatePasswordPolicyOutcome> ExecuteAsync(PasswordPolicy requested, CancellationToken ct = default)
    {
        var organization = access.RequireOrganization();
        if (!access.CanAdministerOrganization)
        {
            return UpdatePasswordPolicyOutcome.Forbidden;
        }

        if (requested.MinimumLength is < MinimumAllowedLength or > MaximumAllowedLength
            || requested.HistoryLength is < 0 or > PasswordPolicy.MaximumHistory)
        {
            return UpdatePasswordPolicyOutcome.Invalid;
        }

        var stored = await db.Organizations.SingleAsync(o => o.Id == organization.Id, ct);
        stored.PasswordPolicy = new PasswordPolicy
        {
            MinimumLength = requested.MinimumLength,
            RequireUppercase = requested.RequireUppercase,
            RequireLowercase = requested.RequireLowercase,
            RequireDigit = requested.RequireDigit,
            RequireSymbol = requested.RequireSymbol,
            HistoryLength = requested.HistoryLength,
        };
        await db.SaveChangesAsync(ct);
        return UpdatePasswordPolicyOutcome.Saved;
    }
}
