using System.CommandLine;
using Kastell.Server.Features.SingleSignOn.Connections;
using Kastell.Server.Features.SingleSignOn.Saml;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn.Cli;

/// <summary>
/// <c>sso add-saml --organization SLUG --metadata FILE [--name NAME] [--default-role ROLE] [--mfa-authn-context "URN …"]</c>:
/// the identity provider's metadata is read from a file (at most 512 KiB), its signing certificates pinned. Fetching it
/// from a URL is left to the operator (curl), so Kastell makes no request to an address typed in here.
/// </summary>
internal sealed class SsoAddSamlVerb : CliVerb
{
    private readonly Option<string> _organization = SsoVerbOptions.Organization();
    private readonly Option<FileInfo> _metadata = new("--metadata") { Description = "A file holding the identity provider's SAML 2.0 metadata.", Required = true };
    private readonly Option<string> _name = new("--name") { Description = "The connection's name (unique in the organization); defaults to the identity provider's entity id." };
    private readonly Option<OrganizationRole> _role = new("--default-role") { Description = "Role of accounts created at first sign-in: Member, Auditor or Admin.", DefaultValueFactory = _ => OrganizationRole.Member };
    private readonly Option<string> _contexts = new("--mfa-authn-context") { Description = "AuthnContextClassRef values that count as multi-factor, separated by spaces." };

    public override string Name => "sso add-saml";

    public override string Description => "Add a SAML 2.0 connection to an organization from the identity provider's metadata; prints the SP entity id and ACS URL.";

    public override void Define(Command command)
    {
        foreach (var option in new Option[] { _organization, _metadata, _name, _role, _contexts })
        {
            command.Options.Add(option);
        }
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var file = invocation.Value(_metadata)!;
        if (!file.Exists)
        {
            await invocation.Error.WriteLineAsync($"No file '{file.FullName}'.");
            return 2;
        }

        if (file.Length > SsoConnectionCommands.MaxSamlMetadataBytes)
        {
            await invocation.Error.WriteLineAsync($"Refused: {SingleSignOnErrors.SamlMetadataInvalid.Code} (larger than {SsoConnectionCommands.MaxSamlMetadataBytes} bytes)");
            return 1;
        }

        var metadata = await File.ReadAllTextAsync(file.FullName, invocation.CancellationToken);
        await using var scope = await SsoVerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null)
        {
            return 2;
        }

        var name = invocation.Value(_name) ?? SamlEntityName(metadata);
        var input = new SamlConnectionInput(name, metadata, invocation.Value(_role), invocation.Value(_contexts) ?? "");
        var result = await scope.Get<SsoConnectionCommands>().AddSamlAsync(input, AuditActor.System("cli"), invocation.CancellationToken);
        if (result.Failure is { } failure)
        {
            await invocation.Error.WriteLineAsync($"Refused: {failure.Code}");
            return 1;
        }

        var connection = result.Value!;
        var parties = scope.Get<SamlParties>();
        await invocation.Output.WriteLineAsync($"Connection '{connection.Name}' added ({connection.Id}). Register Kastell at the identity provider with `sso sp-metadata`, or: entity id {connection.SamlSpEntityId}, ACS (HTTP-POST) {parties.AssertionConsumerUrl(connection)}");
        return 0;
    }

    /// <summary>A default name: the entity id as the metadata states it (the command validates the metadata itself).</summary>
    private static string SamlEntityName(string metadata)
    {
        var match = System.Text.RegularExpressions.Regex.Match(metadata, "entityID=\"([^\"]{1,100})\"", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        return match.Success ? match.Groups[1].Value : "SAML";
    }
}

/// <summary><c>sso sp-metadata --organization SLUG [--id ID]</c>: the service provider metadata of the organization's SAML
/// connection (its only one, or the one named), for the identity provider to import.</summary>
internal sealed class SsoSpMetadataVerb : CliVerb
{
    private readonly Option<string> _organization = SsoVerbOptions.Organization();
    private readonly Option<Guid?> _id = new("--id") { Description = "The connection's id (from sso list); needed when the organization has several SAML connections." };

    public override string Name => "sso sp-metadata";

    public override string Description => "Print the SAML service provider metadata (entity id, ACS URL) of an organization's SAML connection.";

    public override void Define(Command command)
    {
        command.Options.Add(_organization);
        command.Options.Add(_id);
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await SsoVerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null)
        {
            return 2;
        }

        var id = invocation.Value(_id);
        var connections = await scope.Db.SsoConnections.AsNoTracking()
            .Where(c => c.Protocol == SsoProtocol.Saml && (id == null || c.Id == id)).ToListAsync(invocation.CancellationToken);
        if (connections.Count != 1)
        {
            await invocation.Error.WriteLineAsync(connections.Count == 0 ? "No such SAML connection." : "The organization has several SAML connections: name one with --id.");
            return 2;
        }

        await invocation.Output.WriteLineAsync(scope.Get<SamlParties>().Metadata(connections[0]));
        return 0;
    }
}
