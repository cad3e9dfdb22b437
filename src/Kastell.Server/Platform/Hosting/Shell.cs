namespace Kastell.Server.Platform.Hosting;

/// <summary>Where a navigation entry appears.</summary>
public enum ShellArea
{
    /// <summary>The signed-in user's links in the top bar (account pages).</summary>
    Account,

    /// <summary>A Space's areas, listed on its start page; the link's address is relative to the Space (<c>/controls</c>).</summary>
    Space,
}

/// <summary>A link in the shell: the text is a key of the feature's strings.</summary>
public sealed record ShellLink(ShellArea Area, string TextKey, string Href, int Order);

/// <summary>
/// What features contribute to the page shell (<c>MainLayout</c>): navigation links and banners (components rendered
/// above every page's content, e.g. "confirm your e-mail address"). The layout knows no feature by name.
/// </summary>
public sealed class Shell
{
    private readonly List<ShellLink> _links = [];
    private readonly List<Type> _banners = [];
    private readonly List<Func<System.Security.Claims.ClaimsPrincipal, bool>> _limits = [];

    public IReadOnlyList<ShellLink> Links => _links;

    /// <summary>Component types rendered at the top of the main area, in registration order.</summary>
    public IReadOnlyList<Type> Banners => _banners;

    public Shell AddLink(ShellArea area, string textKey, string href, int order = 0)
    {
        _links.Add(new(area, textKey, href, order));
        _links.Sort((a, b) => a.Order.CompareTo(b.Order));
        return this;
    }

    public Shell AddBanner<TComponent>()
        where TComponent : Microsoft.AspNetCore.Components.IComponent
    {
        _banners.Add(typeof(TComponent));
        return this;
    }

    public IEnumerable<ShellLink> LinksOf(ShellArea area) => _links.Where(l => l.Area == area);

    /// <summary>
    /// A feature limits sessions it confines to one task (the MFA gate: a session before enrolment may only enrol) to
    /// a shell without navigation, so the page offers no way elsewhere that would only bounce back.
    /// </summary>
    public Shell LimitNavigationWhen(Func<System.Security.Claims.ClaimsPrincipal, bool> confined)
    {
        _limits.Add(confined);
        return this;
    }

    /// <summary>Whether the shell shows this user no navigation (only signing out and the language switch).</summary>
    public bool IsNavigationLimited(System.Security.Claims.ClaimsPrincipal user) => _limits.Any(l => l(user));
}
