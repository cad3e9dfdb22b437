using System.Data.Common;
using System.Runtime.CompilerServices;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kastell.Server.Platform.Data;

/// <summary>
/// PostgreSQL only: tells the database session which organization and user the request acts for, so that the
/// row-level-security policies (the second wall behind the EF query filters) can enforce tenant isolation.
/// Applied when a connection opens and again before any command if the tenant changed meanwhile (a sign-up
/// creates its organization inside an open transaction), so a pooled connection never keeps another tenant.
/// </summary>
internal sealed class TenantConnectionInterceptor(Tenant tenant, CurrentActor actor) : DbCommandInterceptor, IDbConnectionInterceptor, IDbTransactionInterceptor
{
    private const string Sql =
        "SELECT set_config('kastell.organization_id', @kastell_org, false), set_config('kastell.user_id', @kastell_user, false)";

    private readonly ConditionalWeakTable<DbConnection, string> _applied = new();

    private string Wanted => $"{tenant.OrganizationId}|{actor.UserId}";

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection, null);

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default) =>
        ApplyAsync(connection, null, cancellationToken);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        _applied.Remove(transaction.Connection!); // a rollback undoes set_config made inside the transaction

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        _applied.Remove(transaction.Connection!);
        return Task.CompletedTask;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        EnsureCurrent(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnsureCurrentAsync(command, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        EnsureCurrent(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await EnsureCurrentAsync(command, cancellationToken);
        return result;
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        EnsureCurrent(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await EnsureCurrentAsync(command, cancellationToken);
        return result;
    }

    private void EnsureCurrent(DbCommand command)
    {
        if (command.Connection is { } connection && !IsCurrent(connection))
        {
            Apply(connection, command.Transaction);
        }
    }

    private async Task EnsureCurrentAsync(DbCommand command, CancellationToken cancellationToken)
    {
        if (command.Connection is { } connection && !IsCurrent(connection))
        {
            await ApplyAsync(connection, command.Transaction, cancellationToken);
        }
    }

    private bool IsCurrent(DbConnection connection) => _applied.TryGetValue(connection, out var applied) && applied == Wanted;

    private void Apply(DbConnection connection, DbTransaction? transaction)
    {
        using var command = CreateCommand(connection, transaction);
        command.ExecuteNonQuery();
        _applied.AddOrUpdate(connection, Wanted);
    }

    private async Task ApplyAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
        _applied.AddOrUpdate(connection, Wanted);
    }

    private DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Sql;
        AddParameter(command, "kastell_org", tenant.OrganizationId?.ToString() ?? "");
        AddParameter(command, "kastell_user", actor.UserId?.ToString() ?? "");
        return command;
    }

    private static void AddParameter(DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
