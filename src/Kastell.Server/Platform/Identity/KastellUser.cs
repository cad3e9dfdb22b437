using Microsoft.AspNetCore.Identity;

namespace Kastell.Server.Platform.Identity;

/// <summary>A person with a local account. Organization roles live in <c>OrganizationMember</c>, not here.</summary>
public sealed class KastellUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    /// <summary>"de" or "en"; null means "follow the browser".</summary>
    public string? PreferredCulture { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
