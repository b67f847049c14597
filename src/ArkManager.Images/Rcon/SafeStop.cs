using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// Stops an ARK server the way an admin would: warn the players online (a countdown), SaveWorld and check that the
    /// save was written, DoExit, and wait for the exit up to the stop timeout. When RCON is not used or any step fails,
    /// Docker's stop is the fallback (SIGTERM, SIGKILL after the stop timeout), and the result says why. Every step is
    /// reported through progress and logged. Time spent trying to reach RCON counts against the stop timeout, so an
    /// unreachable RCON never makes the stop longer than the stop timeout and a second. The run is <see cref="SafeStopRun"/>.
    /// </summary>
    internal static class SafeStop
    {
        /// <summary>What SaveWorld answers when the save is done.</summary>
        public const string WorldSavedText = "World Saved";

        /// <summary>Stops the server; see the class summary. Cancellation leaves the server as it is at that moment (running during the countdown).</summary>
        /// <exception cref="ArgumentException">Invalid options (a warning template that does not format, an empty message command); raised before anything is sent.</exception>
        /// <exception cref="DockerOperationException">Docker's stop (the fallback) failed.</exception>
        public static async Task<SafeStopResult> StopAsync(
            IContainerOperations containers,
            ContainerDetails container,
            RconSettings? rcon,
            SafeStopOptions options,
            IProgress<StopProgress>? progress,
            ILogger logger,
            CancellationToken cancellationToken)
        {
            if (containers is null)
            {
                throw new ArgumentNullException(nameof(containers));
            }

            if (container is null)
            {
                throw new ArgumentNullException(nameof(container));
            }

            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            if (logger is null)
            {
                throw new ArgumentNullException(nameof(logger));
            }

            Validate(options);
            var run = new SafeStopRun(containers, container, options, progress, logger);
            return await run.ExecuteAsync(rcon, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Checks the options before anything is sent.</summary>
        internal static void Validate(SafeStopOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.MessageCommand))
            {
                throw new ArgumentException("SafeStopOptions.MessageCommand must name the RCON command that shows a message (Broadcast or ServerChat).", nameof(options));
            }

            if (options.WarningTemplate is null)
            {
                throw new ArgumentException("SafeStopOptions.WarningTemplate is required.", nameof(options));
            }

            try
            {
                _ = string.Format(CultureInfo.InvariantCulture, options.WarningTemplate, "1 minute");
            }
            catch (FormatException ex)
            {
                throw new ArgumentException("SafeStopOptions.WarningTemplate is not a valid format string: use {0} for the time left (and {{ }} for literal braces).", nameof(options), ex);
            }

            if (options.Warnings is null)
            {
                throw new ArgumentException("SafeStopOptions.Warnings cannot be null (use an empty list for no countdown).", nameof(options));
            }

            if (options.SaveTimeout <= TimeSpan.Zero || options.CommandTimeout <= TimeSpan.Zero)
            {
                throw new ArgumentException("SafeStopOptions.SaveTimeout and CommandTimeout must be positive.", nameof(options));
            }

            if (options.StopTimeout is TimeSpan stop && stop < TimeSpan.Zero)
            {
                throw new ArgumentException("SafeStopOptions.StopTimeout cannot be negative.", nameof(options));
            }

            if (string.IsNullOrWhiteSpace(options.SavePath) || !options.SavePath.StartsWith("/", StringComparison.Ordinal))
            {
                throw new ArgumentException("SafeStopOptions.SavePath must be an absolute path in the container.", nameof(options));
            }
        }

    }
}
