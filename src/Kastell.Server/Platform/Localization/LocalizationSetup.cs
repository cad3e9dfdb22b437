using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.Localization;

namespace Kastell.Server.Platform.Localization;

/// <summary>German and English everywhere. Culture comes from the explicit switch (cookie), then the user's profile, then Accept-Language.</summary>
internal static class LocalizationSetup
{
    public const string CookieName = "__Host-Kastell-Culture";
    public const string ProfileClaim = "kastell:culture";
    public static readonly string[] Supported = ["en", "de"];

    public static IServiceCollection AddKastellLocalization(this IServiceCollection services)
    {
        services.AddSingleton<IStringLocalizer<Strings>, TsvStringLocalizer>();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = Supported.Select(c => new CultureInfo(c)).ToList();
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
            o.RequestCultureProviders =
            [
                new CookieRequestCultureProvider { CookieName = CookieName },
                new CustomRequestCultureProvider(async context =>
                {
                    var culture = (await SignedInUserAsync(context))?.FindFirst(ProfileClaim)?.Value;
                    return culture is null ? null : new ProviderCultureResult(culture);
                }),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return services;
    }

    /// <summary>
    /// The signed-in user, also before the authentication middleware has run (localization runs first, so that the
    /// rate limiter's answers are localized): the handler caches its result for the request, the middleware reuses it.
    /// Asked only on the first pass would the profile's choice apply to the re-executed error page alone — and the
    /// error page then spoke another language than the page before it.
    /// </summary>
    private static async Task<System.Security.Claims.ClaimsPrincipal?> SignedInUserAsync(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            return context.User;
        }

        var schemes = context.RequestServices.GetService<IAuthenticationSchemeProvider>();
        return schemes is not null && await schemes.GetDefaultAuthenticateSchemeAsync() is not null
            ? (await context.AuthenticateAsync()).Principal
            : null;
    }

    public static bool IsSupported(string? culture) => culture is not null && Supported.Contains(culture);

    public static void WriteCookie(HttpResponse response, string culture) =>
        response.Cookies.Append(
            CookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/", MaxAge = TimeSpan.FromDays(365), IsEssential = true });
}
