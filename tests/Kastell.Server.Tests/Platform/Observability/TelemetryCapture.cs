using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Kastell.Server.Tests.Platform.Observability;

/// <summary>
/// Everything Kastell emits, as text: every ILogger call at every level (message, state values, scopes, exception),
/// plus what the OpenTelemetry pipelines export (log records with their attributes, spans with tags and events).
/// Text is taken at the moment of logging or export, because the SDK reuses its record objects.
/// </summary>
public sealed class TelemetryCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _entries = new();
    private IExternalScopeProvider? _scopes;

    public int Count => _entries.Count;

    public string AllText() => string.Join('\n', _entries);

    public IEnumerable<string> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public BaseExporter<LogRecord> LogExporter => new LogRecordExporter(this);

    public BaseExporter<Activity> SpanExporter => new ActivityExporter(this);

    public void Dispose()
    {
    }

    private void Add(string entry) => _entries.Enqueue(entry);

    private sealed class CapturingLogger(TelemetryCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => capture._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder($"log {logLevel} {category}[{eventId.Id}] {formatter(state, exception)}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    text.Append(" | ").Append(key).Append('=').Append(value);
                }
            }

            capture._scopes?.ForEachScope((scope, builder) => builder.Append(" | scope ").Append(scope), text);
            if (exception is not null)
            {
                text.Append(" | exception ").Append(exception);
            }

            capture.Add(text.ToString());
        }
    }

    private sealed class LogRecordExporter(TelemetryCapture capture) : BaseExporter<LogRecord>
    {
        public override ExportResult Export(in Batch<LogRecord> batch)
        {
            foreach (var record in batch)
            {
                var text = new StringBuilder($"otel-log {record.LogLevel} {record.CategoryName} {record.FormattedMessage} {record.Body}");
                foreach (var (key, value) in record.Attributes ?? [])
                {
                    text.Append(" | ").Append(key).Append('=').Append(value);
                }

                record.ForEachScope((scope, builder) =>
                {
                    foreach (var (key, value) in scope)
                    {
                        builder.Append(" | scope ").Append(key).Append('=').Append(value);
                    }
                }, text);
                text.Append(" | exception ").Append(record.Exception);
                capture.Add(text.ToString());
            }

            return ExportResult.Success;
        }
    }

    private sealed class ActivityExporter(TelemetryCapture capture) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                var text = new StringBuilder($"otel-span {activity.Source.Name} {activity.DisplayName} {activity.StatusDescription}");
                foreach (var (key, value) in activity.TagObjects)
                {
                    text.Append(" | ").Append(key).Append('=').Append(value);
                }

                foreach (var e in activity.Events)
                {
                    text.Append(" | event ").Append(e.Name);
                    foreach (var (key, value) in e.Tags)
                    {
                        text.Append(' ').Append(key).Append('=').Append(value);
                    }
                }

                capture.Add(text.ToString());
            }

            return ExportResult.Success;
        }
    }
}
