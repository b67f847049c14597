using System;
using System.Collections.Generic;
using System.Linq;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    // Host config rules: the copied HostConfig and the daemon-default paths and legacy links it normalises.
    internal static partial class RecreateSpec
    {
        /// <summary>
        /// Rule (host config): start from a deep copy of the old <c>HostConfig</c> — restart policy, every resource limit (memory, swap,
        /// reservation, CPUs, shares, quota/period, cpuset, pids, blkio...), ulimits, devices and device requests, capabilities,
        /// security options, sysctls, tmpfs, log config, init, privileged, read-only rootfs, shm size, extra hosts, DNS settings,
        /// group-add, ipc/pid/uts/userns/cgroupns modes, OOM settings, runtime, isolation, auto-remove, volumes-from, publish-all,
        /// storage options, port bindings, binds and mounts — and change only what must not or cannot be carried:
        /// <list type="bullet">
        /// <item><c>ContainerIDFile</c> (a CLI-side file holding the OLD id) and <c>ConsoleSize</c> (an attach-time value) are cleared.</item>
        /// <item><c>MaskedPaths</c>/<c>ReadonlyPaths</c> are cleared when they are the daemon's defaults (dockerd fills those in at create, so
        /// inspect always shows them; leaving them unset round-trips to the same inspect on the same daemon and lets a newer daemon's
        /// defaults apply, like the image's PATH). An empty list (<c>--security-opt systempaths=unconfined</c>) or a custom list is carried.</item>
        /// <item>Legacy <c>Links</c>, shown by inspect as <c>/child:/old-name/alias</c>, are rewritten to the create form <c>child:alias</c>.</item>
        /// <item>Mounts: see <see cref="CarryMounts"/>.</item>
        /// <item>Port bindings are carried as-is; one with an empty host port gets a warning (Docker picks a new random port at each start).</item>
        /// <item><c>AutoRemove</c> is carried, with a warning: a server container that removes itself when it stops also loses its anonymous volumes.</item>
        /// </list>
        /// </summary>
        private static HostConfig CarryHostConfig(ContainerInspectResponse old, List<string> warnings)
        {
            var host = RecreateJson.Clone(old.HostConfig) ?? new HostConfig();
            host.ContainerIDFile = string.Empty;
            host.ConsoleSize = null!;

            if (IsDaemonDefaultMaskedPaths(host.MaskedPaths))
            {
                host.MaskedPaths = null!;
            }

            if (IsDaemonDefaultReadonlyPaths(host.ReadonlyPaths))
            {
                host.ReadonlyPaths = null!;
            }

            if (host.Links != null)
            {
                host.Links = host.Links.Select(NormaliseLegacyLink).ToList();
            }

            if (host.PortBindings != null)
            {
                foreach (var pair in host.PortBindings.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    foreach (var binding in pair.Value ?? new List<PortBinding>())
                    {
                        if (binding != null && string.IsNullOrEmpty(binding.HostPort))
                        {
                            warnings.Add($"Port {pair.Key} is published on a random host port ({(string.IsNullOrEmpty(binding.HostIP) ? "all addresses" : binding.HostIP)}): Docker picks a new one at every start, so players and firewalls lose it. Set a fixed host port.");
                        }
                    }
                }
            }

            if (host.AutoRemove)
            {
                warnings.Add("AutoRemove (--rm) is set: the server container removes itself, with its anonymous volumes, when it stops. It is carried as it was; consider turning it off for a server.");
            }

            host.Mounts = CarryMounts(old, host, warnings);
            return host;
        }

        /// <summary>True when <paramref name="paths"/> is one of dockerd's default masked-path lists (18.06+ core set, optionally with later additions, any order).</summary>
        internal static bool IsDaemonDefaultMaskedPaths(IList<string>? paths)
        {
            if (paths is null || paths.Count == 0)
            {
                return false;
            }

            var set = new HashSet<string>(paths, StringComparer.Ordinal);
            return set.Count == paths.Count && DefaultMaskedPathsCore.All(set.Contains) && set.All(p => DefaultMaskedPathsCore.Contains(p) || DefaultMaskedPathsLater.Contains(p));
        }

        /// <summary>True when <paramref name="paths"/> is dockerd's default read-only path list (any order).</summary>
        internal static bool IsDaemonDefaultReadonlyPaths(IList<string>? paths) =>
            paths != null && paths.Count == DefaultReadonlyPaths.Count && new HashSet<string>(paths, StringComparer.Ordinal).SetEquals(DefaultReadonlyPaths);

        /// <summary>Inspect shows a legacy link as <c>/child:/parent-name/alias</c>; a create wants <c>child:alias</c>.</summary>
        internal static string NormaliseLegacyLink(string link)
        {
            if (string.IsNullOrEmpty(link))
            {
                return link;
            }

            var colon = link.IndexOf(':');
            if (colon < 0)
            {
                return link.TrimStart('/');
            }

            var child = link.Substring(0, colon).TrimStart('/');
            var alias = link.Substring(colon + 1);
            var slash = alias.LastIndexOf('/');
            return child + ":" + (slash >= 0 ? alias.Substring(slash + 1) : alias);
        }
    }
}
