using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// Counts, while it lives, the commands on the tuple table of one store (other tests' stores run alongside) and the
/// rows they returned, from EF Core's diagnostic events: how much of the authorization store a request reads.
/// </summary>
internal sealed class TupleReadCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _store;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Lock _gate = new();
    private int _queries;
    private int _rows;

    public TupleReadCounter(string store)
    {
        _store = store;
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public int Queries => Volatile.Read(ref _queries);

    public int Rows => Volatile.Read(ref _rows);

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_gate)
            {
                _subscriptions.Add(value.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name || name == RelationalEventId.DataReaderDisposing.Name));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        switch (value.Value)
        {
            case CommandExecutedEventData executed when IsOurs(executed.Command):
                Interlocked.Increment(ref _queries);
                break;
            case DataReaderDisposingEventData disposing when IsOurs(disposing.Command):
                Interlocked.Add(ref _rows, disposing.ReadCount);
                break;
        }
    }

    private bool IsOurs(DbCommand command) =>
        command.CommandText.Contains("authz_tuples", StringComparison.Ordinal)
        && command.Parameters.Cast<DbParameter>().Any(p => Equals(p.Value, _store));

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }
}
