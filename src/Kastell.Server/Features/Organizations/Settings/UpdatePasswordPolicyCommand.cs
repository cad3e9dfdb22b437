using System.Globalization;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Organizations.Settings;

/// <summary>Changes the organization's password policy; owners and admins only, values within safe bounds.</summary>
internal sealed class UpdatePasswordPolicyCommand(KastellDbContext db, Tenant tenant, Permissions permissions, IAuditLog audit)
{
    public const int MinimumAllowedLength = PasswordPolicy.AbsoluteMinimumLength;
    public const int MaximumAllowedLength = 128;

    /// <param name="precondition">Checked against the stored policy with its row locked (an API update's If-Match); false refuses with 412 and changes nothing.</param>
    public async Task<Result> ExecuteAsync(AuditActor actor, PasswordPolicy requested, Func<PasswordPolicy, bool>? precondition = null, CancellationToken ct = default)
    {
        var organization = tenant.RequireOrganization();
        if (!await permissions.RequireAsync("organization", tenant.RequireOrganizationId(), "can_manage_password_policy", cancellationToken: ct))
        {
            return Failures.NotAllowed;
        }

        if (requested.MinimumLength is < MinimumAllowedLength or > MaximumAllowedLength
            || requested.HistoryLength is < 0 or > PasswordPolicy.MaximumHistory)
        {
            return OrganizationErrors.PasswordPolicyOutOfRange;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.LockOrganizationAsync(organization.Id, ct);
        var stored = await db.Organizations.SingleAsync(o => o.Id == organization.Id, ct);
        if (precondition is not null && !precondition(stored.PasswordPolicy))
        {
            return Platform.Http.Api.ApiErrors.PreconditionFailed;
        }

        stored.PasswordPolicy = new PasswordPolicy
        {
            MinimumLength = requested.MinimumLength,
            RequireUppercase = requested.RequireUppercase,
            RequireLowercase = requested.RequireLowercase,
            RequireDigit = requested.RequireDigit,
            RequireSymbol = requested.RequireSymbol,
            HistoryLength = requested.HistoryLength,
        };
        audit.Record(new(OrganizationEvents.PasswordPolicyChanged, actor, AuditTarget.Organization(organization.Id), Details: Describe(stored.PasswordPolicy)));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Result.Done;
    }

    /// <summary>The new values, so the log shows what the policy became (it holds no secrets).</summary>
    private static Dictionary<string, string> Describe(PasswordPolicy policy) => new()
    {
        ["minimumLength"] = policy.MinimumLength.ToString(CultureInfo.InvariantCulture),
        ["requireUppercase"] = policy.RequireUppercase ? "true" : "false",
        ["requireLowercase"] = policy.RequireLowercase ? "true" : "false",
        ["requireDigit"] = policy.RequireDigit ? "true" : "false",
        ["requireSymbol"] = policy.RequireSymbol ? "true" : "false",
        ["historyLength"] = policy.HistoryLength.ToString(CultureInfo.InvariantCulture),
    };
}
