using System.Security.Claims;
using System.Security.Cryptography;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Features.Accounts.Sessions;

/// <summary>
/// Keeps authentication tickets server-side in <see cref="UserSession"/> rows. Enforces the idle and absolute
/// timeouts itself, so a stolen cookie dies with its session and "sign out everywhere" is a row delete.
/// </summary>
internal sealed class DatabaseTicketStore(
    IServiceScopeFactory scopes,
    IDataProtectionProvider protection,
    IOptions<SessionOptions> options,
    TimeProvider time) : ITicketStore
{
    // Writing LastSeenAt on every request would turn reads into writes; a minute of slack is harmless.
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private readonly IDataProtector _protector = protection.CreateProtector("Kastell.Sessions.Ticket.v1");

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null!, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = new UserSession
        {
            Id = Base64Url(RandomNumberGenerator.GetBytes(32)),
            UserId = CurrentActor.FromPrincipal(ticket.Principal) is { Kind: AuditActorKind.User, Id: { } id } ? Guid.Parse(id) : throw new InvalidOperationException("A session needs a user."),
            Ticket = _protector.Protect(TicketSerializer.Default.Serialize(ticket)),
            CreatedAt = now,
            LastSeenAt = now,
            AbsoluteExpiresAt = now + options.Value.AbsoluteTimeout,
            UserAgent = Truncate(httpContext?.Request.Headers.UserAgent.ToString(), 512),
            IpAddress = httpContext?.Connection.RemoteIpAddress?.ToString(),
        };
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session.Id;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null!, CancellationToken.None);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        var session = await db.UserSessions.SingleOrDefaultAsync(s => s.Id == key, cancellationToken);
        if (session is not null)
        {
            session.Ticket = _protector.Protect(TicketSerializer.Default.Serialize(ticket));
            session.LastSeenAt = time.GetUtcNow();
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null!, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        var session = await db.UserSessions.SingleOrDefaultAsync(s => s.Id == key, cancellationToken);
        if (session is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now >= session.AbsoluteExpiresAt || now - session.LastSeenAt >= options.Value.IdleTimeout)
        {
            db.UserSessions.Remove(session);
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }

        if (now - session.LastSeenAt >= TouchInterval)
        {
            session.LastSeenAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }

        try
        {
            var ticket = TicketSerializer.Default.Deserialize(_protector.Unprotect(session.Ticket));
            // Lets pages recognise "this browser" in the session list without exposing the id anywhere else.
            if (ticket?.Principal.Identity is ClaimsIdentity identity && !identity.HasClaim(c => c.Type == SessionList.SessionIdClaim))
            {
                identity.AddClaim(new Claim(SessionList.SessionIdClaim, key));
            }

            return ticket;
        }
        catch (CryptographicException)
        {
            // Key ring lost or rotated out: the session cannot be trusted any more.
            return null;
        }
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, null!, CancellationToken.None);

    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        await db.UserSessions.Where(s => s.Id == key).ExecuteDeleteAsync(cancellationToken);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Truncate(string? value, int max) => value is null ? null : value.Length <= max ? value : value[..max];
}

/// <summary>Wires the ticket store into the application cookie once DI is built.</summary>
internal sealed class SessionStoreCookieSetup(DatabaseTicketStore store) : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (name == Microsoft.AspNetCore.Identity.IdentityConstants.ApplicationScheme)
        {
            options.SessionStore = store;
        }
    }
}
