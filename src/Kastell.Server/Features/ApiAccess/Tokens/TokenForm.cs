using Kastell.Server.Features.Accounts;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Identity.Tokens;
using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Features.ApiAccess.Tokens;

/// <summary>The posted field names of one token form (each form on a page is named apart).</summary>
public sealed record TokenFieldNames(string Name, string Days, string Password, string Code)
{
    public static TokenFieldNames For(string form) => new($"{form}-name", $"{form}-days", $"{form}-password", $"{form}-code");
}

/// <summary>
/// A token form as posted: the person re-authenticates (password and a second factor, as for any sensitive action),
/// then the token is issued with the name, lifetime, Spaces and permissions ticked.
/// </summary>
internal sealed class TokenForm(Reauthentication reauthentication, UserManager<KastellUser> users, CreateApiTokenCommand create)
{
    public const string PermissionField = "token-permission";
    public const string SpaceField = "token-space";

    public async Task<Result<CreatedToken>> SubmitAsync(IFormCollection form, TokenFieldNames names, Guid callerId, ApiTokenKind kind, Guid subjectId, CancellationToken cancellationToken = default)
    {
        var caller = await users.FindByIdAsync(callerId.ToString());
        if (caller is null || !await reauthentication.VerifyAsync(caller, form[names.Password].ToString(), form[names.Code].ToString()))
        {
            return ApiAccessErrors.ReauthenticationFailed;
        }

        if (!int.TryParse(form[names.Days], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days))
        {
            return ApiAccessErrors.TokenLifetimeOutOfRange;
        }

        var spaces = new List<Guid>();
        foreach (var value in form[SpaceField])
        {
            if (!Guid.TryParse(value, out var space))
            {
                return ApiAccessErrors.TokenSpaceUnknown;
            }

            spaces.Add(space);
        }

        return await create.ExecuteAsync(
            new TokenRequest(kind, subjectId, form[names.Name].ToString(), days, [.. form[PermissionField].OfType<string>()], spaces),
            AuditActorOf(callerId), cancellationToken);
    }

    private static Platform.Audit.AuditActor AuditActorOf(Guid userId) => Platform.Audit.AuditActor.User(userId);
}
