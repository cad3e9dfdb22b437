using Kastell.Server.Features.Domains.Discovery;
using Kastell.Server.Platform.Email;

namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>
/// The seam for e-mail-first sign-in: which organization's single sign-on an address belongs to. The verified-domains
/// slice answers it from the domains an organization proved it owns (<see cref="VerifiedDomainHomeRealm"/>). Only a
/// verified domain may ever answer: an unverified claim would route someone's sign-in to an attacker's provider.
/// </summary>
public interface IHomeRealmDiscovery
{
    /// <summary>The organization whose connection <paramref name="email"/> signs in with, or null.</summary>
    Task<Guid?> OrganizationForEmailAsync(string email, CancellationToken cancellationToken);
}

/// <summary>The organization that holds the address's domain verified (ADR 0021), or none.</summary>
internal sealed class VerifiedDomainHomeRealm(DomainOwnerLookup domains) : IHomeRealmDiscovery
{
    public async Task<Guid?> OrganizationForEmailAsync(string email, CancellationToken cancellationToken) =>
        MailAddresses.TryParse(email, out var address) && await domains.FindAsync(address, cancellationToken) is { } owner ? owner.OrganizationId : null;
}
