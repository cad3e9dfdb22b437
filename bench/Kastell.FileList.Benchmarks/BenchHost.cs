using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Kastell.FileList.Benchmarks;

/// <summary>
/// Kastell's real host, in process and in Production mode, on SQLite (its own data directory) or PostgreSQL (a
/// throwaway database bench/run.sh creates for a non-superuser role, so row-level security applies as in production).
/// </summary>
internal sealed class BenchHost(string provider, string? connectionString, string dataDirectory) : WebApplicationFactory<Program>
{
    static BenchHost()
    {
        // The server's content root (pages' static assets): src/Kastell.Server beside the solution this binary was built in.
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Kastell.slnx")))
        {
            directory = directory.Parent;
        }

        if (directory is not null)
        {
            Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_KASTELL_SERVER", Path.Combine(directory.FullName, "src", "Kastell.Server"));
        }
    }

    public string Provider => provider;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Kastell:DataDirectory", dataDirectory);
        builder.UseSetting("Kastell:Database:Provider", provider);
        builder.UseSetting("Kastell:Database:MigrateOnStartup", "true");
        builder.UseSetting("Kastell:RateLimits:AuthenticationPerMinute", "10000");
        builder.UseSetting("Kastell:Storage:RescanInterval", "00:00:00");
        // No mail leaves during the run (users are made through the services); outside the embedded mode the options
        // still want a relay and a public address.
        builder.UseSetting("Kastell:Email:SmtpHost", "127.0.0.1");
        builder.UseSetting("Kastell:Email:SmtpPort", "2");
        builder.UseSetting("Kastell:Email:AllowInsecureLoopbackSmtp", "true");
        builder.UseSetting("Kastell:Email:PublicBaseUrl", "https://localhost");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Error");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Error");
        if (connectionString is not null)
        {
            builder.UseSetting("Kastell:Database:ConnectionString", connectionString);
        }
    }

    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri("https://localhost"),
    });
}
