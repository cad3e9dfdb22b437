using Kastell.Server.Features.Organizations.Create;
using Kastell.Server.Features.Organizations.Deletion;
using Kastell.Server.Features.Organizations.Home;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Features.Organizations.Spaces;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Features.Organizations;

/// <summary>
/// Organizations and Spaces as the user meets them: the home page, creating Spaces, members (invitations, roles,
/// removal), the Spaces' members (roles for people and teams), the organization's settings and its deletion. The
/// tenant entities themselves are the platform's.
/// </summary>
public sealed class OrganizationsModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddKastellOptions<InvitationOptions, InvitationOptionsValidator>(builder.Configuration, InvitationOptions.Section);
        services.AddScoped<OrganizationDirectory>();
        services.AddScoped<CreateSpaceCommand>();
        services.AddScoped<CreateOrganizationCommand>();
        services.AddScoped<Settings.UpdatePasswordPolicyCommand>();
        services.AddScoped<MemberDirectory>();
        services.AddScoped<InviteMemberCommand>();
        services.AddScoped<RevokeInvitationCommand>();
        services.AddScoped<AcceptInvitationCommand>();
        services.AddScoped<ChangeMemberRoleCommand>();
        services.AddScoped<RemoveMemberCommand>();
        services.AddScoped<SpaceMembersQuery>();
        services.AddScoped<GrantSpaceRoleCommand>();
        services.AddScoped<RevokeSpaceRoleCommand>();
        services.AddSingleton<OrganizationDeletion>();
    }

    public override void MapEndpoints(FeatureRoutes routes)
    {
        MembersEndpoints.Map(routes.Organization);
        SpaceMembersEndpoints.Map(routes.Space);
        Api.OrganizationApiEndpoints.Map(routes.ApiOrganization, routes.ApiSpace);
    }

    public override IEnumerable<CliVerb> CreateVerbs() => [new CreateOrganizationVerb(), new DeleteOrganizationVerb()];
}
