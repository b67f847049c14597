using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ArkManager.Images
{
    /// <summary>Parses the short port and volume notations used by <c>docker run</c>.</summary>
    internal static class ServerSpecParser
    {
        private static readonly Regex NamePattern = new Regex("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$", RegexOptions.CultureInvariant);

        /// <summary>True when <paramref name="name"/> may name a server (and so a journal, lock or snapshot path).</summary>
        public static bool IsValidName(string? name) => name != null && NamePattern.IsMatch(name);

        public static void ValidateName(string? name)
        {
            if (name is null || !NamePattern.IsMatch(name))
            {
                throw new InvalidServerNameException(name);
            }
        }

        public static PortMapping ParsePort(string text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new FormatException("A port mapping is empty.");
            }

            var value = text.Trim();
            var protocol = "udp";
            var slash = value.IndexOf('/');
            if (slash >= 0)
            {
                protocol = value.Substring(slash + 1).ToLowerInvariant();
                value = value.Substring(0, slash);
                if (protocol != "udp" && protocol != "tcp")
                {
                    throw new FormatException($"'{text}': the protocol must be udp or tcp.");
                }
            }

            var parts = value.Split(':');
            string? hostIp = null;
            int? hostPort = null;
            int containerPort;
            switch (parts.Length)
            {
                case 1:
                    containerPort = Port(parts[0], text);
                    break;
                case 2:
                    hostPort = Port(parts[0], text, allowZero: true);
                    containerPort = Port(parts[1], text);
                    break;
                case 3:
                    hostIp = parts[0].Length == 0 ? null : parts[0];
                    hostPort = parts[1].Length == 0 ? 0 : Port(parts[1], text, allowZero: true);
                    containerPort = Port(parts[2], text);
                    break;
                default:
                    throw new FormatException($"'{text}' is not a port mapping: use [hostIp:]hostPort:containerPort[/udp|/tcp].");
            }

            return new PortMapping { ContainerPort = containerPort, HostPort = hostPort, HostIp = hostIp, Protocol = protocol };
        }

        public static VolumeMapping ParseVolume(string text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new FormatException("A volume mapping is empty.");
            }

            var value = text.Trim();
            var readOnly = false;
            if (value.EndsWith(":ro", StringComparison.Ordinal))
            {
                readOnly = true;
                value = value.Substring(0, value.Length - 3);
            }
            else if (value.EndsWith(":rw", StringComparison.Ordinal))
            {
                value = value.Substring(0, value.Length - 3);
            }

            // The target is an absolute container path; the source may contain a drive letter (C:\...).
            var split = value.LastIndexOf(":/", StringComparison.Ordinal);
            if (split <= 0)
            {
                throw new FormatException($"'{text}' is not a volume mapping: use source:/container/path[:ro] (source = a volume name or an absolute host path).");
            }

            var source = value.Substring(0, split);
            var target = value.Substring(split + 1);
            return new VolumeMapping { Source = source, Target = target, ReadOnly = readOnly };
        }

        public static bool IsBindSource(string source) =>
            source.StartsWith("/", StringComparison.Ordinal) || source.StartsWith("\\", StringComparison.Ordinal) ||
            (source.Length >= 2 && char.IsLetter(source[0]) && source[1] == ':');

        private static int Port(string text, string whole, bool allowZero = false)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535 || (port == 0 && !allowZero))
            {
                throw new FormatException($"'{whole}': '{text}' is not a port number (1-65535).");
            }

            return port;
        }
    }
}
