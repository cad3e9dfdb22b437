using Kastell.Server.Features.Accounts.Passwords;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts;

/// <summary>Creates a user together with their first organization (owner) and its first Space, all or nothing.</summary>
internal sealed class SignUpCommand(
    KastellDbContext db,
    UserManager<KastellUser> users,
    PasswordHistoryRecorder history,
    TenantContext tenant,
    IAuditLog audit,
    TimeProvider time)
{
    public async Task<SignUpResult> ExecuteAsync(SignUpRequest request, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var user = new KastellUser
        {
            Id = Guid.CreateVersion7(),
            UserName = request.Email.Trim(),
            Email = request.Email.Trim(),
            DisplayName = request.DisplayName.Trim(),
            PreferredCulture = request.Culture,
            CreatedAt = now,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded)
        {
            return SignUpResult.Failed(created.Errors);
        }

        var organization = new Organization
        {
            Id = Guid.CreateVersion7(),
            Name = request.OrganizationName.Trim(),
            Slug = await UniqueSlugAsync(request.OrganizationName, cancellationToken),
            CreatedAt = now,
        };
        db.Organizations.Add(organization);
        tenant.Enter(organization.Id);
        db.OrganizationMembers.Add(new OrganizationMember
        {
            OrganizationId = organization.Id,
            UserId = user.Id,
            Role = OrganizationRole.Owner,
            JoinedAt = now,
        });
        history.Record(user);
        audit.Record(new(AuditEventType.AccountCreated, AuditActor.User(user.Id), AuditTarget.User(user.Id)));
        audit.Record(new(AuditEventType.OrganizationCreated, AuditActor.User(user.Id), AuditTarget.Organization(organization.Id)));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return SignUpResult.Succeeded(user, organization);
    }

    private async Task<string> UniqueSlugAsync(string name, CancellationToken cancellationToken)
    {
        var stem = Slugs.From(name);
        var candidate = stem;
        for (var n = 2; await db.Organizations.AnyAsync(o => o.Slug == candidate, cancellationToken); n++)
        {
            candidate = $"{stem}-{n}";
        }

        return candidate;
    }
}

internal sealed record SignUpRequest(string Email, string DisplayName, string OrganizationName, string Password, string? Culture);

internal sealed record SignUpResult(KastellUser? User, Organization? Organization, IReadOnlyList<IdentityError> Errors)
{
    public bool IsSuccess => User is not null;

    public static SignUpResult Succeeded(KastellUser user, Organization organization) => new(user, organization, []);

    public static SignUpResult Failed(IEnumerable<IdentityError> errors) => new(null, null, [.. errors]);
}
