using System.CommandLine;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Organizations.Deletion;

/// <summary><c>delete-organization --organization SLUG</c>: deletes an organization and destroys its data keys (crypto-shredding).</summary>
internal sealed class DeleteOrganizationVerb : CliVerb
{
    private readonly Option<string> _organization = new("--organization") { Description = "The organization's slug.", Required = true };

    public override string Name => "delete-organization";

    public override string Description => "Delete an organization and destroy its data keys (crypto-shredding).";

    public override void Define(Command command) => command.Options.Add(_organization);

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var slug = invocation.Value(_organization)!;
        if (await invocation.Services.OrganizationIdAsync(slug, invocation.CancellationToken) is not { } organizationId)
        {
            await invocation.Error.WriteLineAsync($"No organization '{slug}'.");
            return 2;
        }

        var deleted = await invocation.Services.GetRequiredService<OrganizationDeletion>()
            .DeleteAsync(organizationId, AuditActor.System("cli"), invocation.CancellationToken);
        await invocation.Output.WriteLineAsync(deleted is null
            ? $"'{slug}' was already deleted."
            : $"'{slug}' deleted; {deleted.DataKeysDestroyed} data key(s) destroyed, so its remaining ciphertext can no longer be decrypted.");
        return 0;
    }
}
