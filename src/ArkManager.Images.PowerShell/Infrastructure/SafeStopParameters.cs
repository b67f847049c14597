using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>The countdown parameters shared by Stop-ArkServer and Update-ArkImage, mapped to SafeStopOptions.</summary>
    internal static class SafeStopParameters
    {
        /// <summary>The message commands -MessageCommand accepts.</summary>
        public const string Broadcast = "Broadcast";

        /// <summary>The ASA message command.</summary>
        public const string ServerChat = "ServerChat";

        /// <summary>
        /// Builds the options; returns null (and the error) when -NoWarning and -WarningMinutes are both given or a
        /// minute count is not positive.
        /// </summary>
        public static SafeStopOptions? Build(bool noWarning, int[]? warningMinutes, string? messageCommand, bool warnEvenIfEmpty, TimeSpan? stopTimeout, out ErrorRecord? error)
        {
            error = null;
            if (noWarning && warningMinutes != null)
            {
                error = ErrorRecords.Create("ConflictingParameters", ErrorCategory.InvalidArgument, null, new ArgumentException("-NoWarning and -WarningMinutes cannot be used together."));
                return null;
            }

            var options = new SafeStopOptions
            {
                MessageCommand = string.IsNullOrEmpty(messageCommand) ? Broadcast : messageCommand!,
                WarnEvenIfEmpty = warnEvenIfEmpty,
                StopTimeout = stopTimeout,
            };
            if (noWarning)
            {
                options = options with { Warnings = Array.Empty<TimeSpan>() };
            }
            else if (warningMinutes != null)
            {
                options = options with { Warnings = warningMinutes.Distinct().OrderByDescending(m => m).Select(m => TimeSpan.FromMinutes(m)).ToArray() };
            }

            return options;
        }

        /// <summary>The countdown, as text for ShouldProcess messages.</summary>
        public static string Describe(SafeStopOptions options) =>
            options.Warnings.Count == 0
                ? "no countdown"
                : "countdown " + string.Join(", ", options.Warnings.Select(w => w.TotalMinutes.ToString(CultureInfo.InvariantCulture))) + " min (" + options.MessageCommand + ")";

        /// <summary>
        /// What a safe stop will do to <paramref name="server"/>, for ShouldProcess: over RCON (countdown, SaveWorld,
        /// DoExit) only when the server has RCON settings, else Docker's stop with its signal and timeout.
        /// </summary>
        public static string Describe(ServerInfo server, SafeStopOptions options)
        {
            var wait = options.StopTimeout ?? server.StopTimeout;
            var waitText = wait is TimeSpan w ? w.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s" : "10 s (Docker's default)";
            if (!server.IsRunning)
            {
                return $"Nothing to stop: the server is {(string.IsNullOrEmpty(server.State) ? "not running" : server.State)} (nothing is sent or changed)";
            }

            if (!server.HasRcon)
            {
                return $"Stop server with Docker's stop (no RCON settings: no countdown, no save command): signal {(string.IsNullOrEmpty(server.StopSignal) ? "SIGTERM" : server.StopSignal)}, killed after {waitText}";
            }

            var countdown = options.Warnings.Count == 0
                ? "no countdown"
                : Describe(options) + (options.WarnEvenIfEmpty ? " even when nobody is online" : " when players are online");
            return $"Stop server over RCON ({countdown}), then SaveWorld and DoExit, waiting up to {waitText} for the exit; Docker's stop if an RCON step fails";
        }

        /// <summary>How a safe stop went, in one line (for the verbose stream).</summary>
        public static string Describe(SafeStopResult result)
        {
            var parts = new List<string>
            {
                "UsedRcon=" + result.UsedRcon,
                "Saved=" + result.Saved,
                "ExitedByDoExit=" + result.ExitedByDoExit,
                "FellBackToDockerStop=" + result.FellBackToDockerStop,
                "PlayersOnline=" + result.PlayersOnline.Count,
                "WarningsSent=" + result.WarningsSent.Count,
                "ExitCode=" + (result.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"),
                "Duration=" + result.Duration.ToString("c", CultureInfo.InvariantCulture),
            };
            if (!string.IsNullOrEmpty(result.Reason))
            {
                parts.Add("Reason=" + result.Reason);
            }

            return $"Stopped server '{result.Server}': " + string.Join(", ", parts);
        }
    }
}
