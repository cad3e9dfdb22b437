using System.CommandLine;
using System.Globalization;
using Kastell.Server.Features.ApiAccess.ServiceAccounts;
using Kastell.Server.Features.ApiAccess.Tokens;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity.Tokens;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.ApiAccess.Cli;

/// <summary>The options the token verbs share, and entering the organization they name.</summary>
internal static class VerbOptions
{
    public static Option<string> Organization() => new("--organization") { Description = "The organization's slug.", Required = true };

    public static Option<string> ServiceAccount(bool required) => new("--service-account") { Description = "The service account's name.", Required = required };

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

    public static async Task<ServiceAccount?> FindAsync(TenantScope scope, CliInvocation invocation, string name)
    {
        var account = await scope.Db.ServiceAccounts.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, invocation.CancellationToken);
        if (account is null)
        {
            await invocation.Error.WriteLineAsync($"No service account '{name}'.");
        }

        return account;
    }
}

/// <summary><c>service-account create --organization SLUG --name NAME --role member|auditor|admin</c>.</summary>
internal sealed class ServiceAccountCreateVerb : CliVerb
{
    private readonly Option<string> _organization = VerbOptions.Organization();
    private readonly Option<string> _name = new("--name") { Description = "The service account's name (unique in the organization).", Required = true };
    private readonly Option<OrganizationRole> _role = new("--role") { Description = "Its organization role: Member, Auditor or Admin.", DefaultValueFactory = _ => OrganizationRole.Member };

    public override string Name => "service-account create";

    public override string Description => "Create a service account in an organization (a subject of the authorization model, acting through API tokens).";

    public override void Define(Command command)
    {
        command.Options.Add(_organization);
        command.Options.Add(_name);
        command.Options.Add(_role);
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await VerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null)
        {
            return 2;
        }

        var result = await scope.Get<ServiceAccountCommands>().CreateAsync(invocation.Value(_name)!, invocation.Value(_role), AuditActor.System("cli"), invocation.CancellationToken);
        if (result.Failure is { } failure)
        {
            await invocation.Error.WriteLineAsync($"Refused: {failure.Code}");
            return 1;
        }

        await invocation.Output.WriteLineAsync($"Service account '{result.Value!.Name}' created ({result.Value.Id}).");
        return 0;
    }
}

/// <summary>
/// <c>token create --organization SLUG --service-account NAME --name NAME --permission space:can_upload … [--space SLUG …] [--days N]</c>:
/// prints the token once, on standard output alone, so it can be piped into a secret store.
/// </summary>
internal sealed class TokenCreateVerb : CliVerb
{
    private readonly Option<string> _organization = VerbOptions.Organization();
    private readonly Option<string> _account = VerbOptions.ServiceAccount(required: true);
    private readonly Option<string> _name = new("--name") { Description = "The token's name.", Required = true };
    private readonly Option<string[]> _permissions = new("--permission") { Description = "A permission the token carries, e.g. space:can_upload (repeat for more).", Required = true, AllowMultipleArgumentsPerToken = true };
    private readonly Option<string[]> _spaces = new("--space") { Description = "Limit the token to this Space (its slug; repeat for more). Without it the token reaches the whole organization." };
    private readonly Option<int> _days = new("--days") { Description = "Days until the token expires (1 to 366).", DefaultValueFactory = _ => 90 };

    public override string Name => "token create";

    public override string Description => "Issue an API token for a service account; the token is printed once and never shown again.";

    public override void Define(Command command)
    {
        foreach (var option in new Option[] { _organization, _account, _name, _permissions, _spaces, _days })
        {
            command.Options.Add(option);
        }
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await VerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null || await VerbOptions.FindAsync(scope, invocation, invocation.Value(_account)!) is not { } account)
        {
            return 2;
        }

        var slugs = invocation.Value(_spaces) ?? [];
        var spaces = await scope.Db.Spaces.AsNoTracking().Where(s => slugs.Contains(s.Slug)).Select(s => s.Id).ToListAsync(invocation.CancellationToken);
        if (spaces.Count != slugs.Distinct().Count())
        {
            await invocation.Error.WriteLineAsync("A --space names no Space of this organization.");
            return 2;
        }

        var result = await scope.Get<CreateApiTokenCommand>().ExecuteAsync(
            new TokenRequest(ApiTokenKind.ServiceAccount, account.Id, invocation.Value(_name)!, invocation.Value(_days), invocation.Value(_permissions) ?? [], spaces),
            AuditActor.System("cli"), invocation.CancellationToken);
        if (result.Failure is { } failure)
        {
            await invocation.Error.WriteLineAsync($"Refused: {failure.Code}");
            return 1;
        }

        await invocation.Error.WriteLineAsync($"Token {result.Value!.Id} expires {result.Value.ExpiresAt:yyyy-MM-dd HH:mm} UTC; it is not shown again.");
        await invocation.Output.WriteLineAsync(result.Value.Secret);
        return 0;
    }
}

/// <summary><c>token list --organization SLUG [--service-account NAME]</c>: the service accounts' tokens, never their secrets.</summary>
internal sealed class TokenListVerb : CliVerb
{
    private readonly Option<string> _organization = VerbOptions.Organization();
    private readonly Option<string> _account = VerbOptions.ServiceAccount(required: false);

    public override string Name => "token list";

    public override string Description => "List the API tokens of an organization's service accounts (id, name, hint, expiry, state).";

    public override void Define(Command command)
    {
        command.Options.Add(_organization);
        command.Options.Add(_account);
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await VerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null)
        {
            return 2;
        }

        var accounts = await scope.Db.ServiceAccounts.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, invocation.CancellationToken);
        if (invocation.Value(_account) is { } only && !accounts.ContainsValue(only))
        {
            await invocation.Error.WriteLineAsync($"No service account '{only}'.");
            return 2;
        }

        var organization = scope.Tenant.RequireOrganizationId();
        var now = scope.Get<TimeProvider>().GetUtcNow();
        var rows = await scope.Db.ApiTokens.AsNoTracking().Where(t => t.OrganizationId == organization && t.ServiceAccountId != null).OrderBy(t => t.Id).ToListAsync(invocation.CancellationToken);
        foreach (var t in rows.Where(t => invocation.Value(_account) is not { } name || accounts.GetValueOrDefault(t.ServiceAccountId!.Value) == name))
        {
            var state = t.RevokedAt is not null ? "revoked" : t.ExpiresAt <= now ? "expired" : "active";
            await invocation.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{t.Id}  {accounts.GetValueOrDefault(t.ServiceAccountId!.Value)}  {t.Name}  {t.Hint}…  expires {t.ExpiresAt:yyyy-MM-dd}  {state}  [{t.Permissions}]"));
        }

        return 0;
    }
}

/// <summary><c>token revoke --organization SLUG --id TOKEN-ID</c>: takes effect on the next request in every process.</summary>
internal sealed class TokenRevokeVerb : CliVerb
{
    private readonly Option<string> _organization = VerbOptions.Organization();
    private readonly Option<Guid> _id = new("--id") { Description = "The token's id (from token list).", Required = true };

    public override string Name => "token revoke";

    public override string Description => "Revoke an API token of an organization; the next request with it is refused.";

    public override void Define(Command command)
    {
        command.Options.Add(_organization);
        command.Options.Add(_id);
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        await using var scope = await VerbOptions.EnterAsync(invocation, invocation.Value(_organization)!);
        if (scope is null)
        {
            return 2;
        }

        var result = await scope.Get<RevokeApiTokenCommand>().ExecuteAsync(invocation.Value(_id), null, AuditActor.System("cli"), invocation.CancellationToken);
        if (result.Failure is not null)
        {
            await invocation.Error.WriteLineAsync("No such active token in this organization.");
            return 1;
        }

        await invocation.Output.WriteLineAsync("Token revoked.");
        return 0;
    }
}
