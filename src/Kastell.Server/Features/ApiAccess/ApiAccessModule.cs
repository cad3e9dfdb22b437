using Kastell.Server.Features.ApiAccess.ServiceAccounts;
using Kastell.Server.Features.ApiAccess.Tokens;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Features.ApiAccess;

/// <summary>
/// Access to the HTTP API: personal access tokens (a person's, for one organization, after re-authentication) and
/// service accounts with their tokens (owners and admins). How a token authenticates and what it may do on each
/// request is the platform's (<c>Platform/Identity/Tokens</c>); this feature issues, lists and revokes them.
/// </summary>
public sealed class ApiAccessModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<TokenPermissionCatalog>();
        services.AddScoped<CreateApiTokenCommand>();
        services.AddScoped<RevokeApiTokenCommand>();
        services.AddScoped<ApiTokenList>();
        services.AddScoped<TokenOffer>();
        services.AddScoped<TokenForm>();
        services.AddScoped<ServiceAccountCommands>();
    }

    public override IEnumerable<CliVerb> CreateVerbs() =>
        [new Cli.ServiceAccountCreateVerb(), new Cli.TokenCreateVerb(), new Cli.TokenListVerb(), new Cli.TokenRevokeVerb()];

    public override void AddToShell(Shell shell) => shell.AddLink(ShellArea.Account, "NavApiTokens", "/account/api-tokens", 35);
}
