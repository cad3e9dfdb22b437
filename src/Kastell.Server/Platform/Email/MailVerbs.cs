using System.CommandLine;
using System.Globalization;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Email;

/// <summary>
/// <c>mail status</c>: what waits in the outbox and every dead letter, with the reason of its last failure (the
/// recipient masked, never the content). Exit 1 while there are dead letters, so monitoring can alert on it.
/// </summary>
internal sealed class MailStatusVerb : CliVerb
{
    private const int MaxListed = 200;

    public override string Name => "mail status";

    public override string Description => "List waiting and dead-lettered e-mail with the reason of the last failure; exit 1 while there are dead letters.";

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var ct = invocation.CancellationToken;
        await using var scope = invocation.Services.GetRequiredService<TenantScopes>().Open(AuditActor.System("cli"));
        var outbox = scope.Db.Set<OutgoingEmail>().AsNoTracking();
        var pending = await outbox.CountAsync(m => m.State == OutgoingEmailState.Pending, ct);
        var dead = await outbox.CountAsync(m => m.State == OutgoingEmailState.DeadLetter, ct);
        await invocation.Output.WriteLineAsync($"{pending} e-mail(s) waiting, {dead} dead letter(s).");

        // Dead letters first, then waiting mail that has failed before; the recipient is decrypted only to be masked.
        var troubled = await outbox
            .Where(m => m.State == OutgoingEmailState.DeadLetter || m.Attempts > 0)
            .OrderByDescending(m => m.State).ThenBy(m => m.CreatedAt)
            .Take(MaxListed)
            .ToListAsync(ct);
        foreach (var m in troubled)
        {
            var when = m.State == OutgoingEmailState.DeadLetter
                ? $"dead letter since {Time(m.DeadLetteredAt)}"
                : $"waiting, next attempt {Time(m.NextAttemptAt)}";
            await invocation.Output.WriteLineAsync(
                $"{m.Id} {m.Kind} to {MailAddresses.Masked(m.Recipient)}, queued {Time(m.CreatedAt)}, {m.Attempts} attempt(s), {when}: {m.LastError}");
        }

        if (dead + pending > troubled.Count && troubled.Count == MaxListed)
        {
            await invocation.Output.WriteLineAsync($"(the first {MaxListed} shown)");
        }

        return dead > 0 ? 1 : 0;
    }

    private static string Time(DateTimeOffset? time) => time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}

/// <summary>
/// <c>mail retry --id ID</c> or <c>--all</c>: sends dead-lettered e-mail again (and makes waiting mail due now), with
/// a fresh count of attempts; each message requeued is audited. A running server picks them up within a second.
/// </summary>
internal sealed class MailRetryVerb : CliVerb
{
    private readonly Option<Guid?> _id = new("--id") { Description = "The message to send again (as 'mail status' lists it)." };
    private readonly Option<bool> _all = new("--all") { Description = "Every dead letter and every waiting message." };

    public override string Name => "mail retry";

    public override string Description => "Send dead-lettered e-mail again: one (--id) or all (--all).";

    public override void Define(Command command)
    {
        command.Options.Add(_id);
        command.Options.Add(_all);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(_id) is null) == !result.GetValue(_all))
            {
                result.AddError("Name one message with --id, or use --all.");
            }
        });
    }

    public override async Task<int> RunAsync(CliInvocation invocation)
    {
        var ct = invocation.CancellationToken;
        var id = invocation.Value(_id);
        await using var scope = invocation.Services.GetRequiredService<TenantScopes>().Open(AuditActor.System("cli"));
        var db = scope.Db;
        var ids = await db.Set<OutgoingEmail>().AsNoTracking()
            .Where(m => id == null || m.Id == id)
            .Select(m => new { m.Id, m.Kind, m.State })
            .ToListAsync(ct);
        if (id is not null && ids.Count == 0)
        {
            await invocation.Error.WriteLineAsync($"No e-mail {id} in the outbox (sent messages are removed from it).");
            return 2;
        }

        var now = invocation.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var audit = scope.Get<IAuditLog>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var m in ids)
        {
            await db.Set<OutgoingEmail>().Where(x => x.Id == m.Id).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.State, OutgoingEmailState.Pending)
                .SetProperty(x => x.Attempts, 0)
                .SetProperty(x => x.NextAttemptAt, now)
                .SetProperty(x => x.DeadLetteredAt, (DateTimeOffset?)null), ct);
            audit.Record(new(EmailEvents.EmailRequeued, AuditActor.System("cli"), new AuditTarget("email", m.Id.ToString()),
                Details: new Dictionary<string, string> { ["kind"] = m.Kind, ["was"] = m.State == OutgoingEmailState.DeadLetter ? "dead-letter" : "waiting" }));
        }

        await audit.FlushAsync(ct);
        await transaction.CommitAsync(ct);
        await invocation.Output.WriteLineAsync($"{ids.Count} e-mail(s) queued again.");
        return 0;
    }
}
