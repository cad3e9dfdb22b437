using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Http.Api;

/// <summary>
/// <c>Idempotency-Key</c> on creating requests: the first request with a key runs and its answer is kept for a day;
/// a retry with the same key and the same request gets that answer again (<c>Idempotent-Replayed: true</c>) instead of
/// a second object; the same key with a different request is refused (422), and while the first still runs, a second
/// gets 409. Keys are per token. A request that failed keeps nothing, so it can be retried with the same key.
/// </summary>
public sealed class Idempotency(KastellDbContext db, CurrentActor actor, TimeProvider time, IOptions<JsonOptions> json)
{
    public const string Header = "Idempotency-Key";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    /// <param name="request">What identifies the request besides method and path (its body, or for a stream its length and name).</param>
    public async Task<IResult> RunAsync(HttpContext context, string request, Func<Task<IResult>> run)
    {
        var key = context.Request.Headers[Header].ToString();
        if (key.Length == 0 || actor.Token is not { } token)
        {
            return await run();
        }

        if (key.Length > 255 || key.Any(c => c is < '!' or > '~'))
        {
            return ApiErrors.IdempotencyKeyInvalid.ToProblem(context);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{context.Request.Method} {context.Request.Path}\n{request}")));
        var now = time.GetUtcNow();
        var existing = await db.Set<IdempotencyRecord>().SingleOrDefaultAsync(r => r.TokenId == token.TokenId && r.Key == key, context.RequestAborted);
        if (existing is not null && existing.CreatedAt + Lifetime <= now)
        {
            db.Remove(existing);
            await db.SaveChangesAsync(context.RequestAborted);
            existing = null;
        }

        if (existing is not null)
        {
            if (!string.Equals(existing.RequestHash, hash, StringComparison.Ordinal))
            {
                return ApiErrors.IdempotencyKeyReused.ToProblem(context);
            }

            if (existing.Status is not { } status)
            {
                return ApiErrors.IdempotencyKeyInUse.ToProblem(context);
            }

            context.Response.Headers["Idempotent-Replayed"] = "true";
            if (existing.Location is { } location)
            {
                context.Response.Headers.Location = location;
            }

            return Results.Content(existing.Body ?? "", "application/json", Encoding.UTF8, status);
        }

        var record = new IdempotencyRecord
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = token.OrganizationId,
            TokenId = token.TokenId,
            Key = key,
            RequestHash = hash,
            CreatedAt = now,
        };
        db.Add(record);
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateException)
        {
            // Another request with the same key got there first and is still running (or just finished).
            db.Entry(record).State = EntityState.Detached;
            return ApiErrors.IdempotencyKeyInUse.ToProblem(context);
        }

        IResult result;
        try
        {
            result = await run();
        }
        catch
        {
            await ForgetAsync(record);
            throw;
        }

        if (result is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } done)
        {
            record.Status = done.StatusCode;
            record.Body = result is IValueHttpResult { Value: { } value } ? JsonSerializer.Serialize(value, value.GetType(), json.Value.SerializerOptions) : null;
            record.Location = result.GetType().GetProperty("Location")?.GetValue(result) as string;
            await db.SaveChangesAsync(CancellationToken.None);
        }
        else
        {
            await ForgetAsync(record);
        }

        return result;
    }

    private async Task ForgetAsync(IdempotencyRecord record)
    {
        db.Remove(record);
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
