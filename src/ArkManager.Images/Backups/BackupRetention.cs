using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Backups
{
    /// <summary>Keeps the newest N archives of a server in a directory (with their sidecar manifests) and deletes the rest.</summary>
    internal sealed class BackupRetention
    {
        private readonly ILogger _logger;

        public BackupRetention(ILogger logger)
        {
            _logger = logger;
        }

        /// <summary>
        /// Deletes the server's archives beyond the newest <paramref name="keep"/>; <paramref name="justWritten"/> is always
        /// kept and counts as one of them. Returns the deleted archives.
        /// </summary>
        public IReadOnlyList<string> Prune(string directory, string server, int keep, string justWritten)
        {
            var pattern = BackupPaths.ArchiveNamePattern(server);
            var archives = Directory.EnumerateFiles(directory)
                .Select(p => new { Path = p, Match = pattern.Match(Path.GetFileName(p)) })
                .Where(a => a.Match.Success && !string.Equals(a.Path, justWritten, StringComparison.Ordinal))
                .OrderByDescending(a => a.Match.Groups["ts"].Value, StringComparer.Ordinal)
                .ThenByDescending(a => Path.GetFileName(a.Path), StringComparer.Ordinal)
                .ToList();
            var pruned = new List<string>();

            // The archive just written is the newest whatever its name says (a name may take the next free second):
            // it is always kept and counts as one of the N.
            foreach (var old in archives.Skip(keep - 1))
            {
                try
                {
                    File.Delete(old.Path);
                    pruned.Add(old.Path);
                    BackupLog.BackupPruned(_logger, server, old.Path, keep);
                    var sidecar = BackupPaths.SidecarOf(old.Path);
                    if (File.Exists(sidecar))
                    {
                        File.Delete(sidecar);
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    BackupLog.CleanupFailed(_logger, old.Path, ex.Message);
                }
            }

            return pruned;
        }
    }
}
