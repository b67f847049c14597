using System;
using System.Globalization;
using ArkManager.Images.Docker;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// Whether a failed RCON connection is worth trying again. ARK opens its RCON port late in its start-up (and may accept
    /// and drop connections before it is ready), so a server that started a short while ago gets retries with back-off.
    /// A server that has been up for longer than <see cref="StartupGrace"/> and refuses the connection has RCON off (or on
    /// another port): waiting would only delay the caller, so it fails at once.
    /// </summary>
    internal sealed class RconStartupRetry
    {
        /// <summary>How long after its start a server is taken to be still starting (its RCON port may not be open yet).</summary>
        public static readonly TimeSpan StartupGrace = TimeSpan.FromMinutes(2);

        private readonly DateTimeOffset? _startedAt;
        private readonly TimeSpan _grace;
        private readonly Func<DateTimeOffset> _clock;
        private readonly bool _always;

        private RconStartupRetry(DateTimeOffset? startedAt, TimeSpan grace, Func<DateTimeOffset> clock, bool always)
        {
            _startedAt = startedAt;
            _grace = grace;
            _clock = clock;
            _always = always;
        }

        /// <summary>Retries until the connect timeout (for a server known to be starting).</summary>
        public static RconStartupRetry Always { get; } = new RconStartupRetry(null, TimeSpan.Zero, () => DateTimeOffset.UtcNow, always: true);

        /// <summary>One attempt only.</summary>
        public static RconStartupRetry Never { get; } = new RconStartupRetry(DateTimeOffset.MinValue, TimeSpan.Zero, () => DateTimeOffset.UtcNow, always: false);

        /// <summary>
        /// Retries while the container started less than <paramref name="grace"/> (default <see cref="StartupGrace"/>) ago.
        /// A container whose start time is unknown is taken as starting.
        /// </summary>
        public static RconStartupRetry ForContainer(ContainerDetails container, TimeSpan? grace = null, Func<DateTimeOffset>? clock = null)
        {
            if (container is null)
            {
                throw new ArgumentNullException(nameof(container));
            }

            var startedAt = container.StartedAtUtc;
            return new RconStartupRetry(startedAt, grace ?? StartupGrace, clock ?? (() => DateTimeOffset.UtcNow), always: startedAt is null);
        }

        /// <summary>True while a failed connection may be tried again.</summary>
        public bool MayRetry() => _always || (_startedAt is DateTimeOffset started && _clock() - started < _grace);

        /// <summary>Why a refused connection is not retried, for the error message.</summary>
        public string WhyNoRetry()
        {
            if (_startedAt is DateTimeOffset started && started != DateTimeOffset.MinValue)
            {
                var up = _clock() - started;
                return "the server has been up for " + Describe(up) + " (longer than its start-up, " + Describe(_grace) + "), so RCON is off or listens on another port";
            }

            return "RCON is off or listens on another port";
        }

        private static string Describe(TimeSpan span) =>
            span >= TimeSpan.FromMinutes(2)
                ? ((long)span.TotalMinutes).ToString(CultureInfo.InvariantCulture) + " minutes"
                : ((long)Math.Max(0, span.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + " s";
    }
}
