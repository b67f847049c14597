using System;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.PowerShell.Engine
{
    /// <summary>The level of a log message (the values of Microsoft.Extensions.Logging's LogLevel, which stays inside the engine).</summary>
    public enum ArkLogLevel
    {
        /// <summary>Trace.</summary>
        Trace = 0,

        /// <summary>Debug.</summary>
        Debug = 1,

        /// <summary>Information.</summary>
        Information = 2,

        /// <summary>Warning.</summary>
        Warning = 3,

        /// <summary>Error.</summary>
        Error = 4,

        /// <summary>Critical.</summary>
        Critical = 5,
    }

    /// <summary>
    /// Where the library's log messages go: (level, category, message) to a sink, for the levels a predicate enables.
    /// Loggers may be called on any thread. Disposing it silences every logger made from it.
    /// </summary>
    public sealed class ArkLogging : IDisposable
    {
        private readonly LoggerFactory _factory;

        /// <param name="sink">Receives (level, category, message) of every enabled message.</param>
        /// <param name="isEnabled">Whether a level is shown (decided beforehand, it is called on any thread).</param>
        public ArkLogging(Action<ArkLogLevel, string, string> sink, Func<ArkLogLevel, bool> isEnabled)
        {
            _factory = new LoggerFactory(sink ?? throw new ArgumentNullException(nameof(sink)), isEnabled ?? throw new ArgumentNullException(nameof(isEnabled)));
        }

        internal ILoggerFactory Factory => _factory;

        /// <summary>Silences every logger made from this.</summary>
        public void Dispose() => _factory.Dispose();

        private sealed class LoggerFactory : ILoggerFactory
        {
            private readonly Action<ArkLogLevel, string, string> _sink;
            private readonly Func<ArkLogLevel, bool> _isEnabled;
            private volatile bool _disposed;

            public LoggerFactory(Action<ArkLogLevel, string, string> sink, Func<ArkLogLevel, bool> isEnabled)
            {
                _sink = sink;
                _isEnabled = isEnabled;
            }

            public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

            // Providers are not supported: every message goes to the sink.
            public void AddProvider(ILoggerProvider provider)
            {
            }

            public void Dispose() => _disposed = true;

            public bool IsEnabled(LogLevel level) =>
                !_disposed && level >= LogLevel.Trace && level <= LogLevel.Critical && _isEnabled((ArkLogLevel)(int)level);

            public void Write(LogLevel level, string category, string message) => _sink((ArkLogLevel)(int)level, category, message);
        }

        private sealed class Logger : ILogger
        {
            private readonly LoggerFactory _factory;
            private readonly string _category;

            public Logger(LoggerFactory factory, string category)
            {
                _factory = factory;
                _category = category;
            }

            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => NullScope.Instance;

            public bool IsEnabled(LogLevel logLevel) => _factory.IsEnabled(logLevel);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                {
                    return;
                }

                var message = formatter(state, exception);
                if (exception != null)
                {
                    message = string.IsNullOrEmpty(message) ? exception.Message : message + " (" + exception.GetType().Name + ": " + exception.Message + ")";
                }

                if (string.IsNullOrEmpty(message))
                {
                    return;
                }

                _factory.Write(logLevel, _category, message);
            }
        }

        private sealed class NullScope : IDisposable
        {
            public static readonly NullScope Instance = new NullScope();

            public void Dispose()
            {
            }
        }
    }
}
