using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Internal
{
    /// <summary>
    /// The structured log of mutating runs: while a run (update, recreate, rollback, start, stop, pull, backup, …) is in
    /// progress, every Information-or-higher message of the library is appended as one JSON line to
    /// &lt;state&gt;/logs/arkmanager.jsonl, between a run-start and a run-end line. The file rotates at
    /// <see cref="MaxBytes"/> (arkmanager.1.jsonl … arkmanager.N.jsonl). Logging never fails a run.
    /// </summary>
    internal sealed class RunLog
    {
        private static readonly AsyncLocal<Run?> CurrentRun = new AsyncLocal<Run?>();
        private readonly string _directory;
        private readonly object _sync = new object();

        public RunLog(string stateDirectory, long maxBytes = 5 * 1024 * 1024, int keepFiles = 5, bool enabled = true)
        {
            Enabled = enabled;
            _directory = Path.Combine(stateDirectory, "logs");
            MaxBytes = maxBytes;
            KeepFiles = keepFiles;
        }

        /// <summary>False: nothing is written (a host that logs through its own ILoggerFactory).</summary>
        public bool Enabled { get; }

        public long MaxBytes { get; }

        public int KeepFiles { get; }

        public string FilePath => Path.Combine(_directory, "arkmanager.jsonl");

        public static bool Active => CurrentRun.Value != null;

        /// <summary>Runs <paramref name="body"/> as one logged run.</summary>
        public async Task<T> RunAsync<T>(string operation, string? target, Func<Task<T>> body, Func<T, string>? describe = null)
        {
            var parent = CurrentRun.Value;
            if (parent != null)
            {
                // Nested operations belong to the outer run.
                return await body().ConfigureAwait(false);
            }

            var run = new Run(Guid.NewGuid().ToString("N").Substring(0, 12), operation, target);
            CurrentRun.Value = run;
            var watch = Stopwatch.StartNew();
            Append(run, "Information", "ArkManager.Images.Run", 0, $"{operation} {target} started", "run-start");
            try
            {
                var result = await body().ConfigureAwait(false);
                Append(run, "Information", "ArkManager.Images.Run", 0, $"{operation} {target} finished in {watch.Elapsed.TotalSeconds:0.0} s" + (describe is null ? string.Empty : ": " + describe(result)), "run-end");
                return result;
            }
            catch (Exception ex)
            {
                Append(run, "Error", "ArkManager.Images.Run", 0, $"{operation} {target} failed after {watch.Elapsed.TotalSeconds:0.0} s: {ex.Message}", "run-end");
                throw;
            }
            finally
            {
                CurrentRun.Value = null;
            }
        }

        public void Write(LogLevel level, string category, EventId eventId, string message)
        {
            var run = CurrentRun.Value;
            if (run is null || level < LogLevel.Information)
            {
                return;
            }

            Append(run, level.ToString(), category, eventId.Id, message, "log");
        }

        private void Append(Run run, string level, string category, int eventId, string message, string kind)
        {
            if (!Enabled)
            {
                return;
            }

            try
            {
                var buffer = new MemoryStream();
                using (var json = new Utf8JsonWriter(buffer))
                {
                    json.WriteStartObject();
                    json.WriteString("time", DateTimeOffset.UtcNow.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
                    json.WriteString("run", run.Id);
                    json.WriteString("operation", run.Operation);
                    if (run.Target != null)
                    {
                        json.WriteString("target", run.Target);
                    }

                    json.WriteString("kind", kind);
                    json.WriteString("level", level);
                    json.WriteString("category", category);
                    json.WriteNumber("eventId", eventId);
                    json.WriteString("message", message);
                    json.WriteNumber("pid", run.ProcessId);
                    json.WriteEndObject();
                }

                buffer.WriteByte((byte)'\n');
                var bytes = buffer.ToArray();
                lock (_sync)
                {
                    Directory.CreateDirectory(_directory);
                    RotateIfNeeded();
                    using var stream = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                    stream.Write(bytes, 0, bytes.Length);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                // The run log is a convenience: a full disk or a read-only state directory must not fail the run.
            }
        }

        private void RotateIfNeeded()
        {
            var info = new FileInfo(FilePath);
            if (!info.Exists || info.Length < MaxBytes)
            {
                return;
            }

            using var rotation = FileLock.TryAcquire(Path.Combine(_directory, "rotate.lock"), "log rotation");
            if (rotation is null)
            {
                return;
            }

            info.Refresh();
            if (!info.Exists || info.Length < MaxBytes)
            {
                return;
            }

            var oldest = Path.Combine(_directory, $"arkmanager.{KeepFiles}.jsonl");
            if (File.Exists(oldest))
            {
                File.Delete(oldest);
            }

            for (var i = KeepFiles - 1; i >= 1; i--)
            {
                var from = Path.Combine(_directory, $"arkmanager.{i}.jsonl");
                if (File.Exists(from))
                {
                    File.Move(from, Path.Combine(_directory, $"arkmanager.{i + 1}.jsonl"));
                }
            }

            File.Move(FilePath, Path.Combine(_directory, "arkmanager.1.jsonl"));
        }

        private sealed class Run
        {
            public Run(string id, string operation, string? target)
            {
                Id = id;
                Operation = operation;
                Target = target;
                ProcessId = Process.GetCurrentProcess().Id;
            }

            public string Id { get; }

            public string Operation { get; }

            public string? Target { get; }

            public int ProcessId { get; }
        }
    }

    /// <summary>Gives the library's loggers to the caller's factory and, during a run, to the run log.</summary>
    internal sealed class TeeLoggerFactory : ILoggerFactory
    {
        private readonly ILoggerFactory _inner;
        private readonly RunLog _runLog;

        public TeeLoggerFactory(ILoggerFactory inner, RunLog runLog)
        {
            _inner = inner;
            _runLog = runLog;
        }

        public ILogger CreateLogger(string categoryName) => new TeeLogger(_inner.CreateLogger(categoryName), _runLog, categoryName);

        public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

        public void Dispose()
        {
        }

        private sealed class TeeLogger : ILogger
        {
            private readonly ILogger _inner;
            private readonly RunLog _runLog;
            private readonly string _category;

            public TeeLogger(ILogger inner, RunLog runLog, string category)
            {
                _inner = inner;
                _runLog = runLog;
                _category = category;
            }

            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => _inner.BeginScope(state);

            public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel) || (RunLog.Active && logLevel >= LogLevel.Information);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (_inner.IsEnabled(logLevel))
                {
                    _inner.Log(logLevel, eventId, state, exception, formatter);
                }

                if (RunLog.Active && logLevel >= LogLevel.Information)
                {
                    _runLog.Write(logLevel, _category, eventId, formatter(state, exception) + (exception is null ? string.Empty : " | " + exception.Message));
                }
            }
        }
    }
}
