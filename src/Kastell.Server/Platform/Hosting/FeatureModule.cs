using Kastell.Server.Platform.Hosting.Cli;

namespace Kastell.Server.Platform.Hosting;

/// <summary>
/// A feature's one entry point: the host learns everything about a feature from its module, so adding a feature
/// touches its own folder, one line in <c>Program.cs</c> and the generated migrations — nothing else.
/// What a module does not have to declare is discovered from its folder: entity configurations
/// (<c>IEntityTypeConfiguration</c> beside the entity), audit events (a class marked <see cref="Audit.AuditEventBlockAttribute"/>),
/// strings (<c>strings.tsv</c>) and pages (<c>@page</c> components). See <c>docs/adding-a-feature.md</c>.
/// </summary>
public abstract class FeatureModule
{
    /// <summary>The feature's name, e.g. <c>Files</c> for <c>FilesModule</c>.</summary>
    public string Name => GetType().Name.EndsWith("Module", StringComparison.Ordinal) ? GetType().Name[..^"Module".Length] : GetType().Name;

    /// <summary>Registers the feature's services, options and background jobs.</summary>
    public virtual void AddServices(IHostApplicationBuilder builder)
    {
    }

    /// <summary>
    /// Middleware the feature owns that must see every request once the caller is known (after authentication,
    /// before the tenant is resolved), e.g. the MFA enrolment gate.
    /// </summary>
    public virtual void UseAfterAuthentication(IApplicationBuilder app)
    {
    }

    /// <summary>Maps the feature's endpoints onto the route groups; pages are found by their <c>@page</c> directive.</summary>
    public virtual void MapEndpoints(FeatureRoutes routes)
    {
    }

    /// <summary>The feature's verbs of the Kastell binary; created anew for each command line.</summary>
    public virtual IEnumerable<CliVerb> CreateVerbs() => [];

    /// <summary>What the feature adds to the page shell: navigation entries and banners.</summary>
    public virtual void AddToShell(Shell shell)
    {
    }
}

/// <summary>
/// The route groups a feature maps its endpoints onto: <c>/o/{org}</c> and <c>/o/{org}/s/{space}</c> for pages' form
/// posts and downloads, and the same under <c>/api/v1</c> for the HTTP API. Every endpoint on a tenant group gets its
/// tenant resolved from the <c>{org}</c> and <c>{space}</c> route values before it runs.
/// </summary>
public sealed record FeatureRoutes(
    IEndpointRouteBuilder Root,
    RouteGroupBuilder Organization,
    RouteGroupBuilder Space,
    RouteGroupBuilder ApiOrganization,
    RouteGroupBuilder ApiSpace);

/// <summary>The features of this host, in the order <c>Program.cs</c> lists them.</summary>
public sealed class FeatureModules(IReadOnlyList<FeatureModule> modules) : IReadOnlyList<FeatureModule>
{
    public FeatureModule this[int index] => modules[index];

    public int Count => modules.Count;

    public IEnumerator<FeatureModule> GetEnumerator() => modules.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
