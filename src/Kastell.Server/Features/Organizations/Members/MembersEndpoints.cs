using System.Security.Claims;
using Kastell.Server.Platform.Security;

namespace Kastell.Server.Features.Organizations.Members;

public static class MembersEndpoints
{
    /// <summary>
    /// Revoking is a plain form post to its own endpoint so an unknown id (or one of another organization) answers a
    /// real 404. The tenant middleware has already answered 404 for an organization the caller is not a member of.
    /// </summary>
    public static IEndpointRouteBuilder MapMemberEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/o/{org}/members/invitations/{id:guid}/revoke", async (string org, Guid id, ClaimsPrincipal user, RevokeInvitationCommand revoke, CancellationToken cancellationToken) =>
            await revoke.ExecuteAsync(Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!), id, cancellationToken) switch
            {
                RevokeOutcome.Revoked => Results.LocalRedirect($"/o/{Uri.EscapeDataString(org)}/members"),
                RevokeOutcome.Forbidden => Results.StatusCode(StatusCodes.Status403Forbidden),
                _ => Results.NotFound(),
            })
            .RequireAuthorization()
            .RequireValidAntiforgeryToken();
        return endpoints;
    }
}
