using Kastell.Server.Features.Domains.Checking;
using Kastell.Server.Features.Domains.Discovery;
using Kastell.Server.Features.Domains.Manage;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Features.Domains;

/// <summary>
/// Verified domains: an organization's owners and admins claim a domain, publish the TXT record Kastell gives them and
/// have it verified over DNS; a verified domain belongs to that organization alone, is looked up again on a schedule,
/// and tells home-realm discovery which organization an address belongs to (<see cref="DomainOwnerLookup"/>). ADR 0021.
/// </summary>
public sealed class DomainsModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddKastellOptions<DomainOptions, DomainOptionsValidator>(builder.Configuration, DomainOptions.Section);
        services.AddSingleton<DnsChallengeChecker>();
        services.AddScoped<DomainCommands>();
        services.AddScoped<DomainList>();
        services.AddScoped<DomainOwnerLookup>();
        services.AddSingleton<DomainRecheckJob>();
        services.AddHostedService(sp => sp.GetRequiredService<DomainRecheckJob>());
    }

    public override void MapEndpoints(FeatureRoutes routes)
    {
        Manage.DomainEndpoints.Map(routes.Organization);
        Api.DomainApiEndpoints.Map(routes.ApiOrganization);
    }

    public override IEnumerable<CliVerb> CreateVerbs() =>
        [new Cli.DomainListVerb(), new Cli.DomainAddVerb(), new Cli.DomainVerifyVerb(), new Cli.DomainRemoveVerb()];
}
