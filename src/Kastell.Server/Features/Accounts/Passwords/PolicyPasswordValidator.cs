using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Kastell.Server.Features.Accounts.Passwords;

/// <summary>
/// Enforces the organization password policy, the banned list and the reuse history, with messages in the
/// user's language. Replaces Identity's built-in character-class rules, which are configured off.
/// </summary>
internal sealed class PolicyPasswordValidator(
    PasswordPolicyResolver policies,
    CommonPasswordList commonPasswords,
    KastellDbContext db,
    IPasswordHasher<KastellUser> hasher,
    IStringLocalizer<Strings> text) : IPasswordValidator<KastellUser>
{
    public async Task<IdentityResult> ValidateAsync(UserManager<KastellUser> manager, KastellUser user, string? password)
    {
        password ??= "";
        var policy = await policies.ForUserAsync(user.Id);
        var errors = Check(policy, password, user);
        if (errors.Count == 0 && policy.HistoryLength > 0 && await WasUsedBeforeAsync(user, password, policy.HistoryLength))
        {
            errors.Add(Error("PasswordReused", text["PasswordReused", policy.HistoryLength]));
        }

        return errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]);
    }

    /// <summary>The policy and banned-list rules alone: nothing in the answer depends on the user's own passwords.</summary>
    public async Task<IdentityResult> ValidateWithoutHistoryAsync(KastellUser user, string? password)
    {
        var errors = Check(await policies.ForUserAsync(user.Id), password ?? "", user);
        return errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]);
    }

    private List<IdentityError> Check(PasswordPolicy policy, string password, KastellUser user)
    {
        var errors = new List<IdentityError>();
        if (password.Length < policy.MinimumLength)
        {
            errors.Add(Error("PasswordTooShort", text["PasswordTooShort", policy.MinimumLength]));
        }

        if (password.Length > PasswordPolicy.AbsoluteMaximumLength)
        {
            errors.Add(Error("PasswordTooLong", text["PasswordTooLong", PasswordPolicy.AbsoluteMaximumLength]));
        }

        if (policy.RequireUppercase && !password.Any(char.IsUpper))
        {
            errors.Add(Error("PasswordRequiresUpper", text["PasswordRequiresUpper"]));
        }

        if (policy.RequireLowercase && !password.Any(char.IsLower))
        {
            errors.Add(Error("PasswordRequiresLower", text["PasswordRequiresLower"]));
        }

        if (policy.RequireDigit && !password.Any(char.IsDigit))
        {
            errors.Add(Error("PasswordRequiresDigit", text["PasswordRequiresDigit"]));
        }

        if (policy.RequireSymbol && password.All(char.IsLetterOrDigit))
        {
            errors.Add(Error("PasswordRequiresSymbol", text["PasswordRequiresSymbol"]));
        }

        if (commonPasswords.Contains(password))
        {
            errors.Add(Error("PasswordTooCommon", text["PasswordTooCommon"]));
        }
        else if (ContainsIdentity(password, user))
        {
            errors.Add(Error("PasswordContainsIdentity", text["PasswordContainsIdentity"]));
        }

        return errors;
    }

    private static bool ContainsIdentity(string password, KastellUser user)
    {
        var localPart = user.Email?.Split('@')[0];
        return localPart is { Length: >= 4 } && password.Contains(localPart, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<bool> WasUsedBeforeAsync(KastellUser user, string password, int historyLength)
    {
        var previous = await db.PasswordHistory
            .Where(h => h.UserId == user.Id)
            .OrderByDescending(h => h.ChangedAt)
            .Take(historyLength)
            .Select(h => h.PasswordHash)
            .ToListAsync();
        return previous.Any(hash => hasher.VerifyHashedPassword(user, hash, password) != PasswordVerificationResult.Failed);
    }

    private static IdentityError Error(string code, string description) => new() { Code = code, Description = description };
}
