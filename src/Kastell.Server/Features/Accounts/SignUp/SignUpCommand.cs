using Kastell.Server.Features.Accounts.Email;
using Kastell.Server.Features.Accounts.Passwords;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Accounts.SignUp;

/// <summary>
/// Creates a user together with their first organization (owner), all or nothing, and mails a confirmation link.
/// An address that already has an account gets the same outcome on screen — "check your e-mail" — while its owner
/// receives a "someone tried to register with your address" mail: the form never tells whether an account exists.
/// </summary>
internal sealed class SignUpCommand(
    KastellDbContext db,
    UserManager<KastellUser> users,
    IPasswordHasher<KastellUser> hasher,
    PasswordHistoryRecorder history,
    AccountMails mails,
    OrganizationFounding founding,
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

        if (OrganizationFounding.CleanName(request.OrganizationName) is null)
        {
            // Checked before the address, so the answer says nothing about whether it is taken.
            return SignUpResult.Failed([new IdentityError { Code = "OrganizationNameInvalid", Description = "The organization's name is invalid." }]);
        }

        // Password rules first and for everyone, so a weak password is refused whether or not the address is taken.
        var passwordErrors = await PasswordErrorsAsync(user, request.Password);
        if (passwordErrors.Count > 0)
        {
            return SignUpResult.Failed(passwordErrors);
        }

        var existing = await users.FindByEmailAsync(user.Email);
        if (existing is not null)
        {
            // Pay for one hash like the real path does, so the answer takes about as long.
            hasher.HashPassword(user, request.Password);
            await mails.RegistrationAttemptAsync(existing);
            return SignUpResult.CheckEmail;
        }

        var created = await CreateAsync(user, request, cancellationToken);
        if (!created.IsSuccess)
        {
            return created;
        }

        await mails.ConfirmEmailAsync(user, await users.GenerateEmailConfirmationTokenAsync(user));
        return created;
    }

    private async Task<List<IdentityError>> PasswordErrorsAsync(KastellUser user, string password)
    {
        var errors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            errors.AddRange(result.Errors);
        }

        return errors;
    }

    private async Task<SignUpResult> CreateAsync(KastellUser user, SignUpRequest request, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded)
        {
            return SignUpResult.Failed(created.Errors);
        }

        var organization = await founding.FoundAsync(request.OrganizationName, user.Id, AuditActor.User(user.Id), cancellationToken: cancellationToken);
        history.Record(user);
        audit.Record(new(AccountEvents.AccountCreated, AuditActor.User(user.Id), AuditTarget.User(user.Id)));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return SignUpResult.Succeeded(user, organization);
    }
}

internal sealed record SignUpRequest(string Email, string DisplayName, string OrganizationName, string Password, string? Culture);

/// <summary>
/// The outcome. <see cref="IsSuccess"/> is true both for a new account and for an address that already had one —
/// the caller must show the same "check your e-mail" answer; <see cref="User"/> is only for tests and logs.
/// </summary>
internal sealed record SignUpResult(KastellUser? User, Organization? Organization, IReadOnlyList<IdentityError> Errors)
{
    public static readonly SignUpResult CheckEmail = new(null, null, []);

    public bool IsSuccess => Errors.Count == 0;

    public static SignUpResult Succeeded(KastellUser user, Organization organization) => new(user, organization, []);

    public static SignUpResult Failed(IEnumerable<IdentityError> errors) => new(null, null, [.. errors]);
}
