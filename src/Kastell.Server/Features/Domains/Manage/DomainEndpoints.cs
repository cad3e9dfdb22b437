using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Security;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Domains.Manage;

/// <summary>
/// "Verify now" and "Remove" on the domains page: plain form posts naming the domain in the route, checked for
/// <c>can_manage_domains</c> before anything runs. The outcome of a check is shown on the page it returns to (found,
/// record missing, taken by another organization, resolvers unreachable); a domain of another organization is not
/// found in this one and answers 404.
/// </summary>
internal static class DomainEndpoints
{
    public static void Map(RouteGroupBuilder organization)
    {
        organization.MapPost("/settings/domains/{id:guid}/verify", async (Guid id, HttpContext context, Tenant tenant, CurrentActor actor, DomainCommands commands) =>
            {
                var result = await commands.VerifyAsync(id, actor.Actor, context.RequestAborted);
                return result.Failure switch
                {
                    null => Back(tenant, $"checked=verified&domain={id:D}"),
                    { } f when f == DomainsErrors.RecordMissing => Back(tenant, $"checked=missing&domain={id:D}"),
                    { } f when f == DomainsErrors.TakenByAnotherOrganization => Back(tenant, $"checked=taken&domain={id:D}"),
                    { } f when f == DomainsErrors.ResolverUnreachable => Back(tenant, $"checked=unreachable&domain={id:D}"),
                    { } failure => failure.ToHttpResult(context),
                };
            })
            .RequireAuthorization()
            .RequirePermission("organization", "can_manage_domains", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("VerifyDomain");
        organization.MapPost("/settings/domains/{id:guid}/remove", async (Guid id, HttpContext context, Tenant tenant, CurrentActor actor, DomainCommands commands) =>
                (await commands.RemoveAsync(id, actor.Actor, context.RequestAborted)).ToHttpResult(context, () => Back(tenant, "removed=1")))
            .RequireAuthorization()
            .RequirePermission("organization", "can_manage_domains", auditAllow: true)
            .RequireValidAntiforgeryToken()
            .WithName("RemoveDomain");
    }

    public static string PagePath(Tenant tenant) => TenantRoutes.OrganizationPath(tenant.RequireOrganization(), "/settings/domains");

    private static IResult Back(Tenant tenant, string query) => TypedResults.LocalRedirect(PagePath(tenant) + "?" + query);
}
