using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Audit;

public static class AuditModule
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKastellOptions<AuditOptions, AuditOptionsValidator>(configuration, AuditOptions.Section);
        services.AddHttpContextAccessor();
        services.AddSingleton(sp => AuditSigningKey.LoadOrCreate(
            Path.Combine(sp.GetRequiredService<IOptions<DataDirectoryOptions>>().Value.ResolveDataDirectory(), "keys")));
        services.AddScoped<AuditChainSealer>();
        services.AddScoped<IAuditLog, AuditLog>();
        services.AddScoped<MemberEventCopies>();
        services.AddSingleton<MemberEventCopier>();
        services.AddHostedService(sp => sp.GetRequiredService<MemberEventCopier>());
        services.AddScoped<AuditBulkAppender>();
        services.AddScoped<AuditCheckpoints>();
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<AuditChainIndicator>();
        return services;
    }
}
