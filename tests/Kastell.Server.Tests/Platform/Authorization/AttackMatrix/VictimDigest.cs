using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

/// <summary>
/// A SHA-256 per table over every row the victim's organization sees (on PostgreSQL through its row-level security,
/// on SQLite every row), read with plain SQL past EF. Left out: the audit trail and its copy bookkeeping (refusals are
/// recorded; the chain is checked apart), sessions (last-seen times move) and the SIEM cursor, and the attackers' own account rows (their
/// failed re-authentications count towards their own lockout). Everything else — memberships, tuples, files,
/// invitations, the victim's account — must be byte for byte the same after the attack.
/// </summary>
internal static class VictimDigest
{
    private static readonly HashSet<string> NotCompared = ["AuditEvents", "AuditCheckpoints", "UserSessions", "SiemCursors", "MemberEventCopyCursors", "MemberEventCopyMarks"];

    /// <summary>Account tables, with the column naming the account a row belongs to.</summary>
    private static readonly Dictionary<string, string> AccountTables = new(StringComparer.Ordinal)
    {
        ["AspNetUsers"] = "Id",
        ["AspNetUserClaims"] = "UserId",
        ["AspNetUserLogins"] = "UserId",
        ["AspNetUserTokens"] = "UserId",
        ["AspNetUserPasskeys"] = "UserId",
        ["AspNetUserRoles"] = "UserId",
        ["PasswordHistory"] = "UserId",
        ["SignInThrottles"] = "UserId",
    };

    /// <summary>The column naming a row's organization where it is not <c>OrganizationId</c>.</summary>
    private static readonly Dictionary<string, string> OrganizationColumns = new(StringComparer.Ordinal)
    {
        ["Organizations"] = "Id",
        ["authz_tuples"] = "StoreId",
    };

    public static async Task<Dictionary<string, string>> TakeAsync(KastellHost host, Guid organizationId, IReadOnlyCollection<Guid> attackers)
    {
        List<string> tables;
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            tables = [.. db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct().Where(t => !NotCompared.Contains(t)).Order(StringComparer.Ordinal)];
        }

        var excluded = attackers.Select(a => a.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        await using var connection = await RawDatabase.OpenAsync(host);
        if (host is PostgresHost)
        {
            await using var enter = connection.CreateCommand();
            enter.CommandText = $"SELECT set_config('kastell.organization_id', '{organizationId}', false)";
            await enter.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            digests[table] = await DigestAsync(connection, table, AccountTables.GetValueOrDefault(table), excluded, organizationId);
        }

        return digests;
    }

    /// <summary>The tables whose digests differ, for the failure message.</summary>
    public static List<string> Changed(Dictionary<string, string> before, Dictionary<string, string> after) =>
        [.. before.Keys.Union(after.Keys).Where(t => before.GetValueOrDefault(t) != after.GetValueOrDefault(t)).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The digest of the victim's rows of <paramref name="table"/>: rows of another organization (an attacker may found
    /// their own, which changes nothing of the victim's) and the attackers' own account rows are left out.
    /// </summary>
    private static async Task<string> DigestAsync(DbConnection connection, string table, string? accountColumn, HashSet<string> excluded, Guid organizationId)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\"";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var account = accountColumn is null ? -1 : reader.GetOrdinal(accountColumn);
        var organizationColumn = OrganizationColumns.GetValueOrDefault(table, "OrganizationId");
        var organization = Enumerable.Range(0, reader.FieldCount).FirstOrDefault(i => reader.GetName(i) == organizationColumn, -1);
        var victim = organizationId.ToString();
        var rows = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            var values = Enumerable.Range(0, reader.FieldCount).Select(i => Text(reader.GetValue(i))).ToList();
            if (account >= 0 && excluded.Contains(values[account]))
            {
                continue;
            }

            if (organization >= 0 && values[organization] != "∅" && !string.Equals(values[organization], victim, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            rows.Add(string.Join('|', values));
        }

        // Row order is not guaranteed without an ORDER BY, and a common one does not exist across the providers.
        rows.Sort(StringComparer.Ordinal);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows)))) + $" ({rows.Count} rows)";
    }

    private static string Text(object value) => value switch
    {
        DBNull => "∅",
        byte[] bytes => Convert.ToHexString(bytes),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
