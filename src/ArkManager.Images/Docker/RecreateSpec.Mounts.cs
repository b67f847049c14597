using System;
using System.Collections.Generic;
using System.Linq;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    // Mount rules: binds, mounts and anonymous volumes reattached by name.
    internal static partial class RecreateSpec
    {
        /// <summary>
        /// Rule (mounts): <c>HostConfig.Binds</c> and <c>HostConfig.Mounts</c> are carried as-is (binds and named volumes keep their
        /// sources). Every mount point of the old container that neither covers — the anonymous volumes made for <c>-v /path</c>, for
        /// an anonymous <c>--mount type=volume,target=/path</c> and for the image's <c>VOLUME</c>s — is reattached BY NAME as a
        /// <c>volume</c> mount (<c>Source</c> = the old volume's name, <c>ReadOnly = !RW</c>), otherwise the daemon would make a new,
        /// empty anonymous volume and the save data would stay behind. An anonymous entry in <c>HostConfig.Mounts</c> (no source)
        /// gets its old volume's name as source for the same reason. A mount is never dropped. Tmpfs stays in <c>HostConfig.Tmpfs</c>.
        /// </summary>
        private static IList<Mount>? CarryMounts(ContainerInspectResponse old, HostConfig host, List<string> warnings)
        {
            var mounts = host.Mounts?.ToList() ?? new List<Mount>();
            var points = old.Mounts ?? new List<MountPoint>();

            // Anonymous --mount entries: pin them to the volume they got.
            foreach (var mount in mounts)
            {
                if (IsVolumeType(mount.Type) && string.IsNullOrEmpty(mount.Source) && mount.Target != null)
                {
                    var point = points.FirstOrDefault(p => IsVolumeType(p.Type) && SamePath(p.Destination, mount.Target) && !string.IsNullOrEmpty(p.Name));
                    if (point != null)
                    {
                        mount.Source = point.Name;
                    }
                }
            }

            var covered = new HashSet<string>(StringComparer.Ordinal);
            foreach (var bind in host.Binds ?? new List<string>())
            {
                var destination = BindDestination(bind);
                if (destination != null)
                {
                    covered.Add(NormalisePath(destination));
                }
            }

            foreach (var mount in mounts)
            {
                if (mount.Target != null)
                {
                    covered.Add(NormalisePath(mount.Target));
                }
            }

            var volumesFrom = host.VolumesFrom != null && host.VolumesFrom.Count > 0;
            foreach (var point in points)
            {
                if (string.IsNullOrEmpty(point.Destination) || covered.Contains(NormalisePath(point.Destination)))
                {
                    continue;
                }

                if (IsVolumeType(point.Type) && !string.IsNullOrEmpty(point.Name))
                {
                    mounts.Add(new Mount
                    {
                        Type = "volume",
                        Source = point.Name,
                        Target = point.Destination,
                        ReadOnly = !point.RW,
                    });
                    covered.Add(NormalisePath(point.Destination));
                    if (volumesFrom)
                    {
                        warnings.Add($"The volume {point.Name} at {point.Destination} is reattached by name; if it came through VolumesFrom ({string.Join(", ", host.VolumesFrom!)}), the replacement now names it directly.");
                    }
                }
                else if (!volumesFrom && string.Equals(point.Type, "bind", StringComparison.Ordinal) && !string.IsNullOrEmpty(point.Source))
                {
                    // A bind neither Binds nor Mounts explains: keep it rather than lose it.
                    mounts.Add(new Mount { Type = "bind", Source = point.Source, Target = point.Destination, ReadOnly = !point.RW });
                    covered.Add(NormalisePath(point.Destination));
                }
            }

            return mounts.Count == 0 && host.Mounts is null ? null : mounts;
        }

        private static void WarnAboutVolumes(ContainerConfig config, DockerOCIImageConfig oldImage, DockerOCIImageConfig newImage, HostConfig host, List<string> warnings)
        {
            if (oldImage.Volumes is null)
            {
                return;
            }

            foreach (var volume in oldImage.Volumes.Keys.OrderBy(k => k, StringComparer.Ordinal))
            {
                if (newImage.Volumes is null || !newImage.Volumes.ContainsKey(volume))
                {
                    var kept = host.Mounts?.Any(m => m.Target != null && SamePath(m.Target, volume)) == true ||
                        host.Binds?.Any(b => BindDestination(b) is string d && SamePath(d, volume)) == true ||
                        config.Volumes?.ContainsKey(volume) == true;
                    if (kept)
                    {
                        warnings.Add($"The new image no longer declares VOLUME {volume}; the old volume stays mounted there.");
                    }
                }
            }
        }

        /// <summary>The container destination of a <c>source:destination[:options]</c> bind (Windows drive letters tolerated).</summary>
        internal static string? BindDestination(string bind)
        {
            if (string.IsNullOrEmpty(bind))
            {
                return null;
            }

            var parts = bind.Split(':');
            var index = 0;
            if (parts.Length > 1 && parts[0].Length == 1 && char.IsLetter(parts[0][0]))
            {
                index++; // C:\source
            }

            index++;
            if (parts.Length <= index)
            {
                return null;
            }

            var destination = parts[index];
            if (destination.Length == 1 && char.IsLetter(destination[0]) && parts.Length > index + 1)
            {
                destination = destination + ":" + parts[index + 1];
            }

            return destination;
        }

        internal static bool IsAnonymousVolumeName(string? name) =>
            name != null && name.Length == 64 && name.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));

        internal static bool SamePath(string? a, string? b) => string.Equals(NormalisePath(a), NormalisePath(b), StringComparison.Ordinal);

        internal static string NormalisePath(string? path)
        {
            if (string.IsNullOrEmpty(path))
            {
                return string.Empty;
            }

            var trimmed = path!.TrimEnd('/', '\\');
            return trimmed.Length == 0 ? path.Substring(0, 1) : trimmed;
        }
    }
}
