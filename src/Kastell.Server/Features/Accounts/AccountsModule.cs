using System.Security.Claims;
using Kastell.Server.Features.Accounts.Deletion;
using Kastell.Server.Features.Accounts.Email;
using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Accounts.Passwords;
using Kastell.Server.Features.Accounts.Sessions;
using Kastell.Server.Features.Accounts.SignIn;
using Kastell.Server.Features.Accounts.SignUp;
using Kastell.Server.Platform;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Email;
using Kastell.Server.Platform.Hosting;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Localization;
using Kastell.Server.Platform.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SessionOptions = Kastell.Server.Features.Accounts.Sessions.SessionOptions;

namespace Kastell.Server.Features.Accounts;

/// <summary>
/// Local accounts: sign-up, sign-in with mandatory MFA (TOTP, recovery codes, passkeys), sessions, passwords and the
/// account's e-mail. The user entity itself is the platform's (<see cref="KastellUser"/>).
/// </summary>
public sealed class AccountsModule : FeatureModule
{
    public override void AddServices(IHostApplicationBuilder builder) => AddAccounts(builder.Services, builder.Configuration);

    public override void UseAfterAuthentication(IApplicationBuilder app)
    {
        app.UseMiddleware<MfaEnrolmentGate>();
        app.UseMiddleware<EmailConfirmationStatus>();
    }

    public override void MapEndpoints(FeatureRoutes routes) => MapAccountEndpoints(routes.Root);

    public override void AddToShell(Shell shell) =>
        shell.AddLink(ShellArea.Account, "NavSessions", "/account/sessions", 10)
            .AddLink(ShellArea.Account, "NavPassword", "/account/password", 20)
            .AddLink(ShellArea.Account, "NavSecurity", "/account/security", 30)
            .AddBanner<Components.UnconfirmedEmailBanner>()
            .LimitNavigationWhen(user => user.Identity?.IsAuthenticated == true && !MfaEnrolmentGate.HasSecondFactor(user));

    private static void AddAccounts(IServiceCollection services, IConfiguration configuration)
    {
        services.AddKastellOptions<SessionOptions, SessionOptionsValidator>(configuration, SessionOptions.Section);
        services.AddKastellOptions<PasswordHashingOptions, PasswordHashingOptionsValidator>(configuration, PasswordHashingOptions.Section);
        services.AddKastellOptions<PasskeyOptions, PasskeyOptionsValidator>(configuration, PasskeyOptions.Section);
        services.AddKastellOptions<SignInThrottleOptions, SignInThrottleOptionsValidator>(configuration, SignInThrottleOptions.Section);

        services.AddOptions<PasswordHasherOptions>().Configure<IOptions<PasswordHashingOptions>>((o, hashing) =>
        {
            o.CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3;
            o.IterationCount = hashing.Value.Pbkdf2Iterations;
        });

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddAuthorization();

        services.AddIdentityCore<KastellUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                // Length, classes, banned list and history come from the organization policy (PolicyPasswordValidator).
                o.Password.RequiredLength = 1;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                // No lockout (KastellUserManager): guessing is bounded by SignInThrottle, which others cannot turn against the owner.
                o.Lockout.AllowedForNewUsers = false;
                o.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
                o.Tokens.EmailConfirmationTokenProvider = EmailConfirmationTokenProvider.Name;
                o.Tokens.PasswordResetTokenProvider = PasswordResetTokenProvider.Name;
            })
            .AddEntityFrameworkStores<KastellDbContext>()
            .AddUserManager<KastellUserManager>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddTokenProvider<ReplayProtectedAuthenticatorTokenProvider>(TokenOptions.DefaultAuthenticatorProvider)
            .AddTokenProvider<EmailConfirmationTokenProvider>(EmailConfirmationTokenProvider.Name)
            .AddTokenProvider<PasswordResetTokenProvider>(PasswordResetTokenProvider.Name)
            .AddPasswordValidator<PolicyPasswordValidator>()
            .AddErrorDescriber<LocalizedIdentityErrors>();
        services.AddScoped<IUserClaimsPrincipalFactory<KastellUser>, KastellClaimsFactory>();
        // Confirmation and reset links: at most an hour (Kastell:Email:LinkLifetime).
        services.AddOptions<DataProtectionTokenProviderOptions>()
            .Configure<IOptions<EmailOptions>>((o, email) => o.TokenLifespan = email.Value.LinkLifetime);

        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "__Host-Kastell";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.Path = "/";
            o.SlidingExpiration = true;
            o.LoginPath = "/account/sign-in";
            o.LogoutPath = "/account/sign-out";
            o.AccessDeniedPath = "/not-found";
            o.Events.OnRedirectToLogin = ctx => RedirectOrStatus(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => RedirectOrStatus(ctx, StatusCodes.Status403Forbidden);
        });
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, o =>
        {
            o.Cookie.Name = "__Host-Kastell-2fa";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(5);
        });
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.ExternalScheme, o =>
        {
            o.Cookie.Name = "__Host-Kastell-External";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<SessionOptions>>((o, sessions) => o.ExpireTimeSpan = sessions.Value.IdleTimeout);
        services.AddSingleton<DatabaseTicketStore>();
        services.AddSingleton<Microsoft.Extensions.Options.IPostConfigureOptions<CookieAuthenticationOptions>, SessionStoreCookieSetup>();

        services.AddSingleton<CommonPasswordList>();
        services.AddScoped<PasswordPolicyResolver>();
        services.AddScoped<PasswordHistoryRecorder>();
        services.AddScoped<SignUpCommand>();
        services.AddScoped<SignInCommand>();
        services.AddScoped<SignInThrottle>();
        services.AddScoped<KnownDevices>();
        services.AddSingleton<DummyPasswordHash>();
        services.AddScoped<MfaEnrolment>();
        services.AddScoped<SessionList>();
        services.AddScoped<Reauthentication>();
        services.AddScoped<ChangePasswordCommand>();
        services.AddScoped<PolicyPasswordValidator>(); // also on its own: a password change checks its rules before re-authentication
        services.AddScoped<SessionHandoff>();
        services.AddScoped<MfaFactors>();
        services.AddScoped<Passkeys>();
        // AddIdentityCore leaves the WebAuthn handler out. User verification (PIN, biometrics) is required, which
        // is what lets a passkey count as two factors (ADR 0008); discoverable credentials allow sign-in without
        // typing the e-mail address; attestation is not requested (no vendor allow-list to check it against).
        services.TryAddScoped<IPasskeyHandler<KastellUser>, PasskeyHandler<KastellUser>>();
        services.AddOptions<IdentityPasskeyOptions>().Configure<IOptions<PasskeyOptions>>((o, passkeys) =>
        {
            o.UserVerificationRequirement = "required";
            o.ResidentKeyRequirement = "required";
            o.AttestationConveyancePreference = "none";
            o.ServerDomain = passkeys.Value.ServerDomain;
        });
        services.AddScoped<MailComposer>();
        services.AddScoped<AccountMails>();
        services.AddScoped<EmailConfirmation>();
        services.AddScoped<PasswordReset>();
        services.AddScoped<DeleteAccountCommand>();
    }

    private static void MapAccountEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/sign-out", async (HttpContext context, CurrentActor actor, SignInManager<KastellUser> signIn, IAuditLog audit) =>
        {
            if (actor.UserId is { } userId)
            {
                await audit.RecordNowAsync(new(AccountEvents.SignedOut, AuditActor.User(userId), AuditTarget.User(userId)), context.RequestAborted);
            }

            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/");
        }).WithName("SignOut").RequireValidAntiforgeryToken();

        // Not a form: the browser arrives here by redirect from a credential change, carrying the handoff cookie. A GET
        // that changes state (signs in, spends the handoff): audited as SessionRenewed, driven by the coverage test.
        endpoints.MapGet(SessionHandoff.RenewPath, async (HttpContext context, SessionHandoff handoff) =>
            await handoff.CompleteAsync(context) is { } target ? Results.LocalRedirect(target) : Results.LocalRedirect("/account/sign-in"))
            .WithName("RenewSession");

        // Options for navigator.credentials.get (anyone, like the sign-in form) and .create (after re-authentication).
        // Posted with the form's antiforgery token by wwwroot/js/passkeys.js; the challenge goes into a short-lived cookie.
        endpoints.MapPost("/account/passkeys/request-options", async (SignInManager<KastellUser> signIn) =>
            Results.Content(await signIn.MakePasskeyRequestOptionsAsync(null), "application/json"))
            .WithName("PasskeyRequestOptions").RequireValidAntiforgeryToken();
        endpoints.MapPost("/account/passkeys/creation-options", async (HttpContext context, UserManager<KastellUser> users, Passkeys passkeys) =>
            await users.GetUserAsync(context.User) is { } user
            && await passkeys.CreationOptionsAsync(user, context.User.FindFirstValue(SessionList.SessionIdClaim)) is { } options
                ? Results.Content(options, "application/json")
                : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Re-authenticate before adding a passkey."))
            .RequireAuthorization().WithName("PasskeyCreationOptions").RequireValidAntiforgeryToken();
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
