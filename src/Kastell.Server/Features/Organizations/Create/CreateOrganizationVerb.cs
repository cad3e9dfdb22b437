using System.CommandLine;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Features.Organizations.Create;

/// <summary>
/// <c>create-organization --name NAME --owner EMAIL</c>: founds an organization for an existing account, which becomes
/// its owner; audited in the new organization's chain as the system actor <c>cli</c>, with the owner in the details.
/// </summary>
internal sealed class CreateOrganizationVerb : CliVerb
{
    private static readonly AuditActor Cli = AuditActor.System("cli");

    private readonly Option<string> _name = new("--name") { Description = "The organization's name (1 to 200 characters).", Required = true };

    private readonly Option<string> _owner = new("--owner") { Description = "The e-mail address of the existing account that becomes its owner.", Required = true };

    public override string Name => "create-organization";

    public override string Description => "Create an organization owned by an existing account.";

    public override void Define(Command command)
    {
        command.Options.Add(_name);
        command.Options.Add(_owner);
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var name = invocation.Value(_name)!;
        var email = invocation.Value(_owner)!;
        await using var scope = invocation.Services.GetRequiredService<TenantScopes>().Open(Cli);
        if (await scope.Get<UserManager<KastellUser>>().FindByEmailAsync(email.Trim()) is not { } owner)
        {
            await invocation.Error.WriteLineAsync($"No account with the address '{email}'.");
            return 2;
        }

        var result = await scope.Get<CreateOrganizationCommand>().ExecuteAsync(owner.Id, name, Cli, capped: false, invocation.CancellationToken);
        if (result.Value is not { } organization)
        {
            await invocation.Error.WriteLineAsync($"Not created ({result.Failure!.Code}): the name must have 1 to {OrganizationFounding.MaxNameLength} characters and no control characters.");
            return 2;
        }

        await invocation.Output.WriteLineAsync($"Organization '{organization.Name}' created at /o/{organization.Slug}, owned by {owner.Email}.");
        return 0;
    }
}
