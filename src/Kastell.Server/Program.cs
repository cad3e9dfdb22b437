using Kastell.Server;
using Kastell.Server.Features.Accounts;
using Kastell.Server.Features.AuditTrail;
using Kastell.Server.Features.Files;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform;
using Kastell.Server.Platform.Cli;
using Kastell.Server.Platform.Data;
using Microsoft.Extensions.Options;

if (await CommandLine.TryRunStandaloneAsync(args) is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(CommandLine.ConfigurationArguments(args));
builder.AddKastellPlatform();
builder.Services.AddAccounts(builder.Configuration);
builder.Services.AddOrganizations();
builder.Services.AddAuditTrail();
builder.Services.AddFiles();

var app = builder.Build();

// Every setting is checked now, so a verb refuses invalid settings as the server does (the host checks them only when it starts).
app.Services.GetRequiredService<IStartupValidator>().Validate();

// Load (or create) the audit signing key now: a key file others can read stops Kastell before it serves anything.
app.Services.GetRequiredService<Kastell.Server.Platform.Audit.AuditSigningKey>();

if (CommandLine.IsVerb(args))
{
    return await CommandLine.RunAsync(app.Services, args);
}

if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ShouldMigrateOnStartup())
{
    await CommandLine.MigrateAsync(app.Services);
}

app.UseKastellPlatform();
app.MapAccountEndpoints();
app.MapMemberEndpoints();
app.MapAuditTrailEndpoints();
app.MapFileEndpoints();
app.MapKastellPages();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
