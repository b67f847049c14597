using System;
using System.Collections.Generic;
using System.Globalization;

namespace ArkManager.Images.Rcon
{
    /// <summary>Reads ARK's ListPlayers output: lines "0. Name, SteamId" (ASA: an EOS id), or "No Players Connected".</summary>
    internal static class ArkPlayerList
    {
        /// <summary>
        /// Parses the output. Returns false when the text is neither a player list nor ARK's "nobody" answer (the caller
        /// should then assume players may be online). An empty text (ARK's "no response") means nobody.
        /// </summary>
        public static bool TryParse(string? text, out IReadOnlyList<ArkPlayer> players)
        {
            var list = new List<ArkPlayer>();
            players = list;
            if (string.IsNullOrWhiteSpace(text))
            {
                return true;
            }

            var recognised = false;
            foreach (var raw in text!.Split('\n'))
            {
                var line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.StartsWith("No Players Connected", StringComparison.OrdinalIgnoreCase))
                {
                    recognised = true;
                    continue;
                }

                if (TryParseLine(line, out var player))
                {
                    list.Add(player);
                    recognised = true;
                }
            }

            return recognised;
        }

        /// <summary>The players in the output (an unrecognised text gives none).</summary>
        public static IReadOnlyList<ArkPlayer> Parse(string? text)
        {
            TryParse(text, out var players);
            return players;
        }

        private static bool TryParseLine(string line, out ArkPlayer player)
        {
            player = null!;
            var dot = line.IndexOf('.');
            if (dot <= 0 || !int.TryParse(line.Substring(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                return false;
            }

            var rest = line.Substring(dot + 1);
            var comma = rest.LastIndexOf(',');
            if (comma < 0)
            {
                return false;
            }

            var name = rest.Substring(0, comma).Trim();
            var id = rest.Substring(comma + 1).Trim();
            if (id.Length == 0 || id.IndexOf(' ') >= 0)
            {
                return false;
            }

            player = new ArkPlayer { Index = index, Name = name, SteamId = id };
            return true;
        }
    }
}
