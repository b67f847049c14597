using System;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// One RCON command to a server's container: the one entry point for commands sent on their own (Send-ArkRconCommand,
    /// Get-ArkPlayer). The log-in is retried only while the server is still starting (<see cref="RconStartupRetry"/>):
    /// a server that has been up for a while and refuses the connection has RCON off, and that is reported at once.
    /// </summary>
    internal static class RconCommand
    {
        /// <summary>How long the log-in may take, retries of a starting server included.</summary>
        public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

        /// <summary>How long the command's answer may take.</summary>
        public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

        /// <summary>Connects to the container's RCON, runs the command and returns its whole output (empty for "no response").</summary>
        /// <exception cref="RconException">Unavailable (not running, refused, dropped), AuthenticationFailed, InvalidPassword or Timeout.</exception>
        public static Task<string> ExecuteAsync(ContainerDetails container, RconSettings settings, string command, ILogger logger, CancellationToken cancellationToken) =>
            ExecuteAsync(container, settings, command, RconStartupRetry.ForContainer(container ?? throw new ArgumentNullException(nameof(container))), logger, cancellationToken);

        /// <summary>As <see cref="ExecuteAsync(ContainerDetails, RconSettings, string, ILogger, CancellationToken)"/>, with the retry rule given.</summary>
        internal static async Task<string> ExecuteAsync(ContainerDetails container, RconSettings settings, string command, RconStartupRetry retry, ILogger logger, CancellationToken cancellationToken)
        {
            if (container is null)
            {
                throw new ArgumentNullException(nameof(container));
            }

            if (settings is null)
            {
                throw new ArgumentNullException(nameof(settings));
            }

            if (string.IsNullOrWhiteSpace(command))
            {
                throw new ArgumentException("An RCON command is required.", nameof(command));
            }

            if (!container.Running)
            {
                var name = SafeStopText.ServerName(container);
                throw new RconException(RconErrorKind.Unavailable, name,
                    $"Server '{name}' is not running ({(container.Status.Length == 0 ? "stopped" : container.Status)}): start it before sending RCON commands.");
            }

            using var client = new RconClient(logger);
            await client.ConnectAsync(settings, ConnectTimeout, retry, cancellationToken).ConfigureAwait(false);
            return await client.ExecuteAsync(command, CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
    }
}
