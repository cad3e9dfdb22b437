namespace Kastell.Server.Features.SingleSignOn.SignIn;

/// <summary>
/// The seam for e-mail-first sign-in: which organization's single sign-on an address belongs to. The verified-domains
/// slice answers it from the domains an organization proved it owns; until then nothing is found, and people name their
/// organization instead. Only a verified domain may ever answer: an unverified claim would route someone's sign-in to
/// an attacker's provider.
/// </summary>
public interface IHomeRealmDiscovery
{
    /// <summary>The organization whose connection <paramref name="email"/> signs in with, or null.</summary>
    Task<Guid?> OrganizationForEmailAsync(string email, CancellationToken cancellationToken);
}

/// <summary>No verified domains yet: no address leads anywhere.</summary>
internal sealed class NoHomeRealmDiscovery : IHomeRealmDiscovery
{
    public Task<Guid?> OrganizationForEmailAsync(string email, CancellationToken cancellationToken) => Task.FromResult<Guid?>(null);
}
