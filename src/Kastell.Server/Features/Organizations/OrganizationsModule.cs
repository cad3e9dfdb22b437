using Kastell.Server.Features.Organizations.Members;

namespace Kastell.Server.Features.Organizations;

public static class OrganizationsModule
{
    public static IServiceCollection AddOrganizations(this IServiceCollection services)
    {
        services.AddScoped<TenantAccess>();
        services.AddScoped<OrganizationDirectory>();
        services.AddScoped<CreateSpaceCommand>();
        services.AddScoped<Settings.UpdatePasswordPolicyCommand>();
        services.AddScoped<MemberDirectory>();
        services.AddScoped<InviteMemberCommand>();
        services.AddScoped<RevokeInvitationCommand>();
        services.AddScoped<AcceptInvitationCommand>();
        services.AddSingleton<OrganizationDeletion>();
        return services;
    }
}
