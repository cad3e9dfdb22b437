using System.Security.Claims;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts;

/// <summary>Adds the display name and preferred language to the session, so the UI needs no query for them.</summary>
internal sealed class KastellClaimsFactory(UserManager<KastellUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<KastellUser>(users, options)
{
    public const string DisplayNameClaim = "kastell:name";

    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(KastellUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(DisplayNameClaim, user.DisplayName));
        if (LocalizationSetup.IsSupported(user.PreferredCulture))
        {
            identity.AddClaim(new Claim(LocalizationSetup.ProfileClaim, user.PreferredCulture!));
        }

        return identity;
    }
}
