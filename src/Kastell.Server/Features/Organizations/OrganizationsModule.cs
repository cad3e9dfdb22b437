namespace Kastell.Server.Features.Organizations;

public static class OrganizationsModule
{
    public static IServiceCollection AddOrganizations(this IServiceCollection services)
    {
        services.AddScoped<TenantAccess>();
        services.AddScoped<OrganizationDirectory>();
        services.AddScoped<CreateSpaceCommand>();
        services.AddScoped<Settings.UpdatePasswordPolicyCommand>();
        return services;
    }
}
