using System;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// Turns the library's <see cref="ILogger"/> messages into PowerShell streams: Trace and Debug go to the debug
    /// stream, Information to the verbose stream, Warning and above to the warning stream. Loggers may be called on
    /// any thread; the sink posts to the pipeline thread.
    /// </summary>
    internal sealed class CmdletLoggerFactory : ILoggerFactory
    {
        private readonly Action<LogLevel, string, string> _sink;
        private readonly Func<LogLevel, bool> _isEnabled;
        private volatile bool _disposed;

        /// <param name="sink">Receives (level, category, message) of every enabled message.</param>
        /// <param name="isEnabled">Whether a level reaches a stream that is shown (decided on the pipeline thread beforehand).</param>
        public CmdletLoggerFactory(Action<LogLevel, string, string> sink, Func<LogLevel, bool> isEnabled)
        {
            _sink = sink;
            _isEnabled = isEnabled;
        }

        public ILogger CreateLogger(string categoryName) => new CmdletLogger(this, categoryName);

        /// <summary>Providers are not supported: every message goes to the PowerShell streams.</summary>
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose() => _disposed = true;

        private bool IsEnabled(LogLevel level) => !_disposed && level != LogLevel.None && _isEnabled(level);

        private sealed class CmdletLogger : ILogger
        {
            private readonly CmdletLoggerFactory _factory;
            private readonly string _category;

            public CmdletLogger(CmdletLoggerFactory factory, string category)
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

                _factory._sink(logLevel, _category, message);
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
