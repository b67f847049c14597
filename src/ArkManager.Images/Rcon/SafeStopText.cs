using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ArkManager.Images.Docker;

namespace ArkManager.Images.Rcon
{
    /// <summary>The safe stop's schedule and texts: the countdown, the warnings, the player summary and the server's name.</summary>
    internal static class SafeStopText
    {
        /// <summary>The countdown as times before the stop, longest first, without duplicates or non-positive entries.</summary>
        public static IReadOnlyList<TimeSpan> Schedule(IReadOnlyList<TimeSpan> warnings) =>
            warnings.Where(w => w > TimeSpan.Zero).Distinct().OrderByDescending(w => w).ToList();

        /// <summary>"15 minutes", "1 minute", "1 minute 30 seconds", "2 hours" (seconds rounded up).</summary>
        public static string FormatTimeLeft(TimeSpan left)
        {
            var seconds = (long)Math.Ceiling(left.TotalSeconds);
            if (seconds < 1)
            {
                seconds = 1;
            }

            var parts = new List<string>();
            void Add(long value, string unit)
            {
                if (value > 0)
                {
                    parts.Add(value.ToString(CultureInfo.InvariantCulture) + " " + unit + (value == 1 ? string.Empty : "s"));
                }
            }

            Add(seconds / 3600, "hour");
            Add(seconds % 3600 / 60, "minute");
            Add(seconds % 60, "second");
            return string.Join(" ", parts);
        }

        /// <summary>The warning text for a time left.</summary>
        public static string WarningText(SafeStopOptions options, TimeSpan left) =>
            string.Format(CultureInfo.InvariantCulture, options.WarningTemplate, FormatTimeLeft(left));

        /// <summary>The server's name: its server label, else the container's name (or id).</summary>
        public static string ServerName(ContainerDetails container)
        {
            var name = container.Label(ServerLabels.Server);
            if (!string.IsNullOrWhiteSpace(name))
            {
                return name!;
            }

            return container.Name.Length > 0 ? container.Name.TrimStart('/') : container.Id;
        }

        /// <summary>Who is online, for the progress messages.</summary>
        public static string DescribePlayers(bool known, IReadOnlyList<ArkPlayer> players) =>
            !known ? "The players online are unknown"
            : players.Count == 0 ? "Nobody is online"
            : players.Count == 1 ? "1 player online (" + players[0].Name + ")"
            : players.Count.ToString(CultureInfo.InvariantCulture) + " players online (" + string.Join(", ", players.Select(p => p.Name)) + ")";

        /// <summary>A reply on one line, at most 120 characters.</summary>
        public static string Shorten(string text)
        {
            var t = text.Trim().Replace('\r', ' ').Replace('\n', ' ');
            return t.Length <= 120 ? t : t.Substring(0, 117) + "...";
        }

        /// <summary>Seconds as "2.5 s".</summary>
        public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";
    }
}
