using System.CommandLine;
using Kastell.Server.Features.SingleSignOn.Connections;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.SingleSignOn.Cli;

/// <summary>The options the sso verbs share, and entering the organization they name.</summary>
internal static class SsoVerbOptions
{
    public static Option<string> Organization() => new("--organization") { Description = "The organization's slug.", Required = true };

    /// <summary>A scope inside the named organization as the operator ("cli"), or null after telling the caller it does not exist.</summary>
    public static async Task<TenantScope?> EnterAsync(CliInvocation invocation, string slug)
    {
        if (await invocation.Services.OrganizationIdAsync(slug, invocation.CancellationToken) is not { } organizationId)
        {
            await invocation.Error.WriteLineAsync($"No organization '{slug}'.");
            return null;
        }

        return invocation.Services.GetRequiredService<TenantScopes>().Enter(organizationId, AuditActor.System("cli"));
    }
}

/// <summary><c>sso list --organization SLUG</c>: one line per connection (id, protocol, name, issuer, redirect path), no secrets.</summary>
internal sealed class SsoListVerb : CliVerb
{
    private readonly Option<string> _organization = SsoVerbOptions.Organization();

    public override string Name => "sso list";

    public override string Description => "List an organization's single sign-on connections (without their secrets).";

    public override void Define(Command command) => command.Options.Add(_organization);

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await SsoVerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null)
        {
            return 2;
        }

        var connections = await scope.Db.SsoConnections.AsNoTracking().OrderBy(c => c.Name).ToListAsync(invocation.CancellationToken);
        foreach (var c in connections)
        {
            var path = c.Protocol == SsoProtocol.Saml ? c.AssertionConsumerPath : c.CallbackPath;
            await invocation.Output.WriteLineAsync($"{c.Id}\t{c.Protocol.ToString().ToLowerInvariant()}\t{c.Name}\t{c.Issuer}\t{c.DefaultRole}\t{(c.Enabled ? "enabled" : "disabled")}\t{path}");
        }

        return 0;
    }
}

/// <summary>
/// <c>sso add-oidc --organization SLUG --issuer URL --client-id ID --client-secret-file FILE [--name NAME] [--default-role ROLE]
/// [--mfa-amr "mfa hwk"] [--mfa-acr VALUE]</c>: the secret comes from a file so it never shows in the process list or
/// the shell history.
/// </summary>
internal sealed class SsoAddOidcVerb : CliVerb
{
    private readonly Option<string> _organization = SsoVerbOptions.Organization();
    private readonly Option<string> _issuer = new("--issuer") { Description = "The provider's issuer URL (discovery is fetched from it).", Required = true };
    private readonly Option<string> _clientId = new("--client-id") { Description = "The client id registered at the provider.", Required = true };
    private readonly Option<FileInfo> _secretFile = new("--client-secret-file") { Description = "A file holding the client secret (one line).", Required = true };
    private readonly Option<string> _name = new("--name") { Description = "The connection's name (unique in the organization); defaults to the issuer's host." };
    private readonly Option<OrganizationRole> _role = new("--default-role") { Description = "Role of accounts created at first sign-in: Member, Auditor or Admin.", DefaultValueFactory = _ => OrganizationRole.Member };
    private readonly Option<string> _amr = new("--mfa-amr") { Description = "amr values that count as multi-factor, separated by spaces (e.g. \"mfa hwk otp\")." };
    private readonly Option<string> _acr = new("--mfa-acr") { Description = "acr values that count as multi-factor, separated by spaces." };

    public override string Name => "sso add-oidc";

    public override string Description => "Add an OpenID Connect connection to an organization; the provider's discovery document is checked before anything is stored.";

    public override void Define(Command command)
    {
        foreach (var option in new Option[] { _organization, _issuer, _clientId, _secretFile, _name, _role, _amr, _acr })
        {
            command.Options.Add(option);
        }
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var file = invocation.Value(_secretFile)!;
        if (!file.Exists)
        {
            await invocation.Error.WriteLineAsync($"No file '{file.FullName}'.");
            return 2;
        }

        var secret = (await File.ReadAllTextAsync(file.FullName, invocation.CancellationToken)).Trim();
        await using var scope = await SsoVerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null)
        {
            return 2;
        }

        var issuer = invocation.Value(_issuer)!;
        var name = invocation.Value(_name) ?? (Uri.TryCreate(issuer, UriKind.Absolute, out var uri) ? uri.Authority : issuer);
        var input = new OidcConnectionInput(name, issuer, invocation.Value(_clientId)!, secret, invocation.Value(_role), invocation.Value(_amr) ?? "", invocation.Value(_acr) ?? "");
        var result = await scope.Get<SsoConnectionCommands>().AddOidcAsync(input, AuditActor.System("cli"), invocation.CancellationToken);
        if (result.Failure is { } failure)
        {
            await invocation.Error.WriteLineAsync($"Refused: {failure.Code}");
            return 1;
        }

        await invocation.Output.WriteLineAsync($"Connection '{result.Value!.Name}' added ({result.Value.Id}). Register this redirect URI at the provider: <Kastell's address>{result.Value.CallbackPath}");
        return 0;
    }
}

/// <summary><c>sso remove --organization SLUG --id ID</c>.</summary>
internal sealed class SsoRemoveVerb : CliVerb
{
    private readonly Option<string> _organization = SsoVerbOptions.Organization();
    private readonly Option<Guid> _id = new("--id") { Description = "The connection's id (from sso list).", Required = true };

    public override string Name => "sso remove";

    public override string Description => "Remove a single sign-on connection; the accounts it created stay.";

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

        var result = await scope.Get<SsoConnectionCommands>().RemoveAsync(invocation.Value(_id), AuditActor.System("cli"), invocation.CancellationToken);
        if (result.Failure is { } failure)
        {
            await invocation.Error.WriteLineAsync($"Refused: {failure.Code}");
            return 1;
        }

        await invocation.Output.WriteLineAsync("Connection removed.");
        return 0;
    }
}
