using System.CommandLine;
using System.Globalization;
using Kastell.Server.Features.Domains.Manage;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Domains.Cli;

/// <summary>The options the domain verbs share, and entering the organization they name as the operator (<c>cli</c>).</summary>
internal static class DomainVerbOptions
{
    public static readonly AuditActor Actor = AuditActor.System("cli");

    public static Option<string> Organization() => new("--organization") { Description = "The organization's slug.", Required = true };

    public static Argument<string> Domain() => new("DOMAIN") { Description = "The domain, e.g. example.com or bücher.de." };

    public static async Task<TenantScope?> EnterAsync(CliInvocation invocation, string slug)
    {
        if (await invocation.Services.OrganizationIdAsync(slug, invocation.CancellationToken) is not { } organizationId)
        {
            await invocation.Error.WriteLineAsync($"No organization '{slug}'.");
            return null;
        }

        return invocation.Services.GetRequiredService<TenantScopes>().Enter(organizationId, Actor);
    }

    /// <summary>The organization's claim on the named domain, or null after saying so.</summary>
    public static async Task<OrganizationDomain?> FindAsync(TenantScope scope, CliInvocation invocation, string name)
    {
        var domain = await scope.Get<DomainList>().FindAsync(name, invocation.CancellationToken);
        if (domain is null)
        {
            await invocation.Error.WriteLineAsync($"The organization has no domain '{name}'.");
        }

        return domain;
    }

    public static string Describe(OrganizationDomain d) => string.Create(CultureInfo.InvariantCulture,
        $"{d.Name}  {d.State.ToString().ToLowerInvariant()}  last checked {(d.LastCheckedAt is { } at ? at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "never")}  TXT {d.RecordName} \"{d.Challenge}\"");

    /// <summary>A refusal in words an operator can act on, with its stable code.</summary>
    public static string Explain(Kastell.Server.Platform.Http.Failure failure) => failure.Code switch
    {
        "domain.name-invalid" => "Refused: not a domain name that can be verified (no IP address, no single label, at most 253 characters) [domain.name-invalid]",
        "domain.public-suffix" => "Refused: a public suffix alone (such as co.uk) belongs to no organization [domain.public-suffix]",
        "domain.already-added" => "Refused: the organization has this domain already [domain.already-added]",
        "domain.taken" => "Refused: another organization has verified this domain; nothing was changed [domain.taken]",
        "domain.too-many" => $"Refused: an organization has at most {DomainCommands.MaxDomainsPerOrganization} domains [domain.too-many]",
        "domain.record-missing" => "Not verified: the TXT record was not found (publish it, wait for DNS, and try again) [domain.record-missing]",
        "domain.resolver-unreachable" => "Not checked: no DNS resolver answered (see Kastell:Domains:Resolvers); nothing was changed [domain.resolver-unreachable]",
        _ => $"Refused: {failure.Code}",
    };
}

/// <summary><c>domain list --organization SLUG</c>: name, state, last check and the TXT record of each domain.</summary>
internal sealed class DomainListVerb : CliVerb
{
    private readonly Option<string> _organization = DomainVerbOptions.Organization();

    public override string Name => "domain list";

    public override string Description => "List an organization's domains with their state, last check and the TXT record that proves each.";

    public override void Define(Command command) => command.Options.Add(_organization);

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await DomainVerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null)
        {
            return 2;
        }

        foreach (var domain in await scope.Get<DomainList>().AllAsync(invocation.CancellationToken))
        {
            await invocation.Output.WriteLineAsync(DomainVerbOptions.Describe(domain));
        }

        return 0;
    }
}

/// <summary><c>domain add --organization SLUG DOMAIN</c>: prints the TXT record to publish.</summary>
internal sealed class DomainAddVerb : CliVerb
{
    private readonly Option<string> _organization = DomainVerbOptions.Organization();
    private readonly Argument<string> _domain = DomainVerbOptions.Domain();

    public override string Name => "domain add";

    public override string Description => "Add a domain to an organization and print the TXT record to publish before verifying it.";

    public override void Define(Command command)
    {
        command.Options.Add(_organization);
        command.Arguments.Add(_domain);
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await DomainVerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null)
        {
            return 2;
        }

        var result = await scope.Get<DomainCommands>().AddAsync(invocation.Value(_domain)!, DomainVerbOptions.Actor, invocation.CancellationToken);
        if (result.Failure is { } failure)
        {
            await invocation.Error.WriteLineAsync(DomainVerbOptions.Explain(failure));
            return 1;
        }

        await invocation.Output.WriteLineAsync($"Publish this TXT record, then run: domain verify --organization {invocation.Value(_organization)} {result.Value!.Name}");
        await invocation.Output.WriteLineAsync($"{result.Value.RecordName}. IN TXT \"{result.Value.Challenge}\"");
        return 0;
    }
}

/// <summary><c>domain verify --organization SLUG DOMAIN</c>: looks the TXT record up now.</summary>
internal sealed class DomainVerifyVerb : CliVerb
{
    private readonly Option<string> _organization = DomainVerbOptions.Organization();
    private readonly Argument<string> _domain = DomainVerbOptions.Domain();

    public override string Name => "domain verify";

    public override string Description => "Look a domain's TXT record up now and verify the domain if it holds the expected value.";

    public override void Define(Command command)
    {
        command.Options.Add(_organization);
        command.Arguments.Add(_domain);
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await DomainVerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null || await DomainVerbOptions.FindAsync(scope, invocation, invocation.Value(_domain)!) is not { } domain)
        {
            return 2;
        }

        var result = await scope.Get<DomainCommands>().VerifyAsync(domain.Id, DomainVerbOptions.Actor, invocation.CancellationToken);
        if (result.Failure is { } failure)
        {
            await invocation.Error.WriteLineAsync(DomainVerbOptions.Explain(failure));
            return 1;
        }

        await invocation.Output.WriteLineAsync($"Verified: {result.Value!.Name}");
        return 0;
    }
}

/// <summary><c>domain remove --organization SLUG DOMAIN</c>.</summary>
internal sealed class DomainRemoveVerb : CliVerb
{
    private readonly Option<string> _organization = DomainVerbOptions.Organization();
    private readonly Argument<string> _domain = DomainVerbOptions.Domain();

    public override string Name => "domain remove";

    public override string Description => "Remove a domain from an organization (a verified one stops routing its addresses to the organization).";

    public override void Define(Command command)
    {
        command.Options.Add(_organization);
        command.Arguments.Add(_domain);
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await DomainVerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null || await DomainVerbOptions.FindAsync(scope, invocation, invocation.Value(_domain)!) is not { } domain)
        {
            return 2;
        }

        var result = await scope.Get<DomainCommands>().RemoveAsync(domain.Id, DomainVerbOptions.Actor, invocation.CancellationToken);
        if (result.Failure is { } failure)
        {
            await invocation.Error.WriteLineAsync(DomainVerbOptions.Explain(failure));
            return 1;
        }

        await invocation.Output.WriteLineAsync($"Removed: {domain.Name}");
        return 0;
    }
}
