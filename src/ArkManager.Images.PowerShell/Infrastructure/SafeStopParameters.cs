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
