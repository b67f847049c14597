using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace ArkManager.Images.Backups
{
    /// <summary>
    /// Names and paths of backups: the archive file names of a server, and the container paths (mount destinations)
    /// that the writer and the restorer compare.
    /// </summary>
    internal static class BackupPaths
    {
        /// <summary>The name pattern of a server's archives: <c>&lt;server&gt;-yyyyMMdd-HHmmss-&lt;12 hex&gt;.tar[.gz]</c>.</summary>
        internal static Regex ArchiveNamePattern(string server) =>
            new Regex("^" + Regex.Escape(server) + "-(?<ts>[0-9]{8}-[0-9]{6})-[0-9a-f]{12}\\.tar(\\.gz)?$", RegexOptions.CultureInvariant);

        /// <summary>The sidecar manifest written next to an archive.</summary>
        internal static string SidecarOf(string archivePath) => archivePath + ".manifest.json";

        /// <summary>A free archive path in <paramref name="directory"/> for a backup created at <paramref name="created"/>.</summary>
        internal static string ChooseArchivePath(string directory, string server, DateTimeOffset created, string shortId, bool compress)
        {
            // Two backups of one container within a second would share a name: take the next free second.
            for (var offset = 0; ; offset++)
            {
                var stamp = created.UtcDateTime.AddSeconds(offset).ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
                var path = Path.Combine(directory, $"{server}-{stamp}-{shortId}.tar{(compress ? ".gz" : string.Empty)}");
                if (!File.Exists(path) && !File.Exists(SidecarOf(path)))
                {
                    return path;
                }
            }
        }

        /// <summary>The first 12 characters of a container id, lower case (padded with zeros when shorter).</summary>
        internal static string ShortId(string containerId) =>
            containerId.Length >= 12 ? containerId.Substring(0, 12).ToLowerInvariant() : containerId.ToLowerInvariant().PadRight(12, '0');

        /// <summary>Throws when <paramref name="server"/> cannot be part of a file name.</summary>
        internal static void ValidateServerName(string server)
        {
            if (string.IsNullOrWhiteSpace(server) || server == "." || server == ".." ||
                server.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || server.IndexOf('/') >= 0 || server.IndexOf('\\') >= 0)
            {
                throw new ArgumentException($"'{server}' cannot name a backup file.", nameof(server));
            }
        }

        /// <summary>The index <c>n</c> of an entry under <c>volumes/&lt;n&gt;/</c>, or -1.</summary>
        internal static int VolumeIndexOf(string name)
        {
            if (!name.StartsWith(BackupManifest.VolumesDirectory, StringComparison.Ordinal))
            {
                return -1;
            }

            var rest = name.Substring(BackupManifest.VolumesDirectory.Length);
            var slash = rest.IndexOf('/');
            var digits = slash < 0 ? rest : rest.Substring(0, slash);
            if (digits.Length == 0 || digits.Length > 6 || (digits.Length > 1 && digits[0] == '0') || !digits.All(c => c >= '0' && c <= '9'))
            {
                return -1;
            }

            return int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        /// <summary>A container path with forward slashes and no trailing slash.</summary>
        internal static string NormalizeDestination(string? destination)
        {
            var d = (destination ?? string.Empty).Replace('\\', '/');
            while (d.Length > 1 && d.EndsWith("/", StringComparison.Ordinal))
            {
                d = d.Substring(0, d.Length - 1);
            }

            return d;
        }

        internal static bool IsAbsoluteDestination(string? destination)
        {
            var d = NormalizeDestination(destination);
            return d.Length > 1 && d.StartsWith("/", StringComparison.Ordinal) && VolumeContent.ProblemWithName(d.Substring(1)) is null;
        }

        internal static bool IsUnder(string path, string root) =>
            path.StartsWith(root.EndsWith("/", StringComparison.Ordinal) ? root : root + "/", StringComparison.Ordinal);

        internal static string Relative(string path, string root) => path.Substring(root.TrimEnd('/').Length + 1);

        internal static string BaseName(string destination)
        {
            var slash = destination.LastIndexOf('/');
            return destination.Substring(slash + 1);
        }

        internal static string ParentDirectory(string destination)
        {
            var slash = destination.LastIndexOf('/');
            return slash <= 0 ? "/" : destination.Substring(0, slash);
        }
    }
}
