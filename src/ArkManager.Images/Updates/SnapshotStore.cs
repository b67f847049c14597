using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Internal;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// The Snapshot step's record: the inspect JSON of the old container, its image and the target image under
    /// <c>&lt;state&gt;/snapshots/&lt;server&gt;/&lt;time&gt;-&lt;id&gt;</c>, secrets masked, the newest <see cref="Keep"/> per server kept.
    /// </summary>
    internal sealed class SnapshotStore
    {
        /// <summary>How many snapshots are kept per server.</summary>
        public const int Keep = 10;

        private readonly string _root;

        public SnapshotStore(string stateDirectory)
        {
            _root = Path.Combine(stateDirectory, "snapshots");
        }

        public async Task<string> WriteAsync(JournalEntry entry, IContainerOperations containers, IImageOperations images, CancellationToken cancellationToken)
        {
            ServerSpecParser.ValidateName(entry.Server);
            var serverDir = Path.Combine(_root, entry.Server);
            var dir = Path.Combine(serverDir, entry.StartedAt.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + entry.Id.Substring(0, 8));
            StateDirectory.Create(dir);
            var container = await containers.InspectJsonAsync(entry.OldContainerId, cancellationToken).ConfigureAwait(false);
            var oldImage = await images.InspectJsonAsync(entry.OldImageId, cancellationToken).ConfigureAwait(false);
            var newImage = await images.InspectJsonAsync(entry.TargetImageId, cancellationToken).ConfigureAwait(false);
            AtomicFile.WriteAllText(Path.Combine(dir, "container.json"), SecretRedactor.RedactInspectJson(container));
            AtomicFile.WriteAllText(Path.Combine(dir, "image.json"), SecretRedactor.RedactInspectJson(oldImage));
            AtomicFile.WriteAllText(Path.Combine(dir, "target-image.json"), SecretRedactor.RedactInspectJson(newImage));
            Prune(serverDir, dir);
            return dir;
        }

        private static void Prune(string serverDir, string current)
        {
            var old = Directory.GetDirectories(serverDir)
                .Where(d => !string.Equals(d, current, StringComparison.Ordinal))
                .OrderByDescending(d => Path.GetFileName(d), StringComparer.Ordinal)
                .Skip(Keep - 1)
                .ToList();
            foreach (var dir in old)
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                    // another run may be reading it; the next write prunes it
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
