using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// Compares two container inspects field by field (Config, HostConfig, Mounts, network endpoints) and names every difference a
    /// faithful recreate must not have, e.g. <c>HostConfig.Memory: 536870912 vs 0</c>. Fields that must change are ignored: Id,
    /// Created, State, Name, Image (id), Config.Image, a default hostname (each container's own short id), the per-container paths
    /// (ResolvConf/Hostname/Hosts/Log), ConsoleSize, ContainerIDFile, sandbox and endpoint ids, dynamic addresses and generated MACs.
    /// </summary>
    internal static class RecreateComparer
    {
        /// <summary>The differences between <paramref name="a"/> and <paramref name="b"/>, allowing nothing image-derived to differ.</summary>
        public static IReadOnlyList<string> Differences(ContainerInspectResponse a, ContainerInspectResponse b) => Differences(a, b, null, null);

        /// <summary>
        /// The differences between <paramref name="a"/> (made from <paramref name="aImage"/>) and <paramref name="b"/> (made from
        /// <paramref name="bImage"/>). A value that comes from the images may legitimately differ: a difference is accepted exactly where
        /// a's value equals aImage's and b's value equals bImage's (env per key, labels per key, exposed ports and volumes per key,
        /// user, working dir, entrypoint, cmd, shell, stop signal, each healthcheck field).
        /// </summary>
        public static IReadOnlyList<string> Differences(ContainerInspectResponse a, ContainerInspectResponse b, ImageInspectResponse? aImage, ImageInspectResponse? bImage)
        {
            if (a is null)
            {
                throw new ArgumentNullException(nameof(a));
            }

            if (b is null)
            {
                throw new ArgumentNullException(nameof(b));
            }

            var images = aImage != null && bImage != null ? (aImage.Config ?? new DockerOCIImageConfig(), bImage.Config ?? new DockerOCIImageConfig()) : ((DockerOCIImageConfig, DockerOCIImageConfig)?)null;
            var diffs = new List<string>();
            CompareConfig(a, b, images, diffs);
            CompareHostConfig(a, b, diffs);
            CompareMountPoints(a, b, diffs);
            CompareNetworks(a, b, diffs);
            return diffs;
        }

        private static void CompareConfig(ContainerInspectResponse a, ContainerInspectResponse b, (DockerOCIImageConfig A, DockerOCIImageConfig B)? images, List<string> diffs)
        {
            var x = a.Config ?? new ContainerConfig();
            var y = b.Config ?? new ContainerConfig();
            var ix = images?.A;
            var iy = images?.B;

            var xDefaultHost = string.Equals(x.Hostname, RecreateSpec.ShortId(a.ID), StringComparison.Ordinal);
            var yDefaultHost = string.Equals(y.Hostname, RecreateSpec.ShortId(b.ID), StringComparison.Ordinal);
            if (!(xDefaultHost && yDefaultHost))
            {
                Scalar("Config.Hostname", x.Hostname, y.Hostname, diffs);
            }

            Scalar("Config.Domainname", x.Domainname, y.Domainname, diffs);
            ScalarFromImage("Config.User", x.User, y.User, ix?.User, iy?.User, images != null, diffs);
            ScalarFromImage("Config.WorkingDir", x.WorkingDir, y.WorkingDir, ix?.WorkingDir, iy?.WorkingDir, images != null, diffs);
            ScalarFromImage("Config.StopSignal", x.StopSignal, y.StopSignal, ix?.StopSignal, iy?.StopSignal, images != null, diffs);
            Scalar("Config.StopTimeout", x.StopTimeout?.TotalSeconds.ToString(CultureInfo.InvariantCulture), y.StopTimeout?.TotalSeconds.ToString(CultureInfo.InvariantCulture), diffs);
            Scalar("Config.AttachStdin", x.AttachStdin, y.AttachStdin, diffs);
            Scalar("Config.AttachStdout", x.AttachStdout, y.AttachStdout, diffs);
            Scalar("Config.AttachStderr", x.AttachStderr, y.AttachStderr, diffs);
            Scalar("Config.Tty", x.Tty, y.Tty, diffs);
            Scalar("Config.OpenStdin", x.OpenStdin, y.OpenStdin, diffs);
            Scalar("Config.StdinOnce", x.StdinOnce, y.StdinOnce, diffs);
            Scalar("Config.NetworkDisabled", x.NetworkDisabled == true, y.NetworkDisabled == true, diffs);
            Scalar("Config.ArgsEscaped", x.ArgsEscaped == true, y.ArgsEscaped == true, diffs, images != null && (ix!.ArgsEscaped == true) == (x.ArgsEscaped == true) && (iy!.ArgsEscaped == true) == (y.ArgsEscaped == true));
            ListFromImage("Config.Entrypoint", x.Entrypoint, y.Entrypoint, ix?.Entrypoint, iy?.Entrypoint, images != null, diffs);
            ListFromImage("Config.Cmd", x.Cmd, y.Cmd, ix?.Cmd, iy?.Cmd, images != null, diffs);
            ListFromImage("Config.Shell", x.Shell, y.Shell, ix?.Shell, iy?.Shell, images != null, diffs);
            ListFromImage("Config.OnBuild", x.OnBuild, y.OnBuild, ix?.OnBuild, iy?.OnBuild, images != null, diffs);
            CompareHealthcheck(x.Healthcheck, y.Healthcheck, ix?.Healthcheck, iy?.Healthcheck, images != null, diffs);

            MapFromImage("Config.Env", EnvMap(x.Env), EnvMap(y.Env), EnvMap(ix?.Env), EnvMap(iy?.Env), images != null, diffs);
            MapFromImage("Config.ExposedPorts", KeyMap(x.ExposedPorts), KeyMap(y.ExposedPorts), KeyMap(ix?.ExposedPorts), KeyMap(iy?.ExposedPorts), images != null, diffs);
            MapFromImage("Config.Volumes", KeyMap(x.Volumes), KeyMap(y.Volumes), KeyMap(ix?.Volumes), KeyMap(iy?.Volumes), images != null, diffs);

            var xLabels = Copy(x.Labels);
            var yLabels = Copy(y.Labels);
            if (xLabels.TryGetValue(ServerLabels.Image, out var xRef) && yLabels.TryGetValue(ServerLabels.Image, out var yRef) &&
                string.Equals(xRef, x.Image, StringComparison.Ordinal) && string.Equals(yRef, y.Image, StringComparison.Ordinal))
            {
                // The reference each server runs: follows Config.Image by design.
                xLabels.Remove(ServerLabels.Image);
                yLabels.Remove(ServerLabels.Image);
            }

            MapFromImage("Config.Labels", xLabels, yLabels, Copy(ix?.Labels), Copy(iy?.Labels), images != null, diffs);
        }

        private static void CompareHealthcheck(HealthcheckConfig? x, HealthcheckConfig? y, HealthcheckConfig? ix, HealthcheckConfig? iy, bool haveImages, List<string> diffs)
        {
            ListFromImage("Config.Healthcheck.Test", x?.Test, y?.Test, ix?.Test, iy?.Test, haveImages, diffs);
            ScalarFromImage("Config.Healthcheck.Interval", Text(x?.Interval), Text(y?.Interval), Text(ix?.Interval), Text(iy?.Interval), haveImages, diffs);
            ScalarFromImage("Config.Healthcheck.Timeout", Text(x?.Timeout), Text(y?.Timeout), Text(ix?.Timeout), Text(iy?.Timeout), haveImages, diffs);
            ScalarFromImage("Config.Healthcheck.StartPeriod", Text(x?.StartPeriod), Text(y?.StartPeriod), Text(ix?.StartPeriod), Text(iy?.StartPeriod), haveImages, diffs);
            ScalarFromImage("Config.Healthcheck.StartInterval", Text(x?.StartInterval), Text(y?.StartInterval), Text(ix?.StartInterval), Text(iy?.StartInterval), haveImages, diffs);
            ScalarFromImage("Config.Healthcheck.Retries", x?.Retries?.ToString(CultureInfo.InvariantCulture), y?.Retries?.ToString(CultureInfo.InvariantCulture),
                ix?.Retries?.ToString(CultureInfo.InvariantCulture), iy?.Retries?.ToString(CultureInfo.InvariantCulture), haveImages, diffs);
        }

        private static void CompareHostConfig(ContainerInspectResponse a, ContainerInspectResponse b, List<string> diffs)
        {
            var x = RecreateJson.Clone(a.HostConfig) ?? new HostConfig();
            var y = RecreateJson.Clone(b.HostConfig) ?? new HostConfig();
            var xMounts = x.Mounts;
            var yMounts = y.Mounts;
            foreach (var h in new[] { x, y })
            {
                h.ConsoleSize = null!;
                h.ContainerIDFile = string.Empty;
                h.Mounts = null;
                h.Links = h.Links?.Select(RecreateSpec.NormaliseLegacyLink).ToList()!;
            }

            CompareJson("HostConfig", RecreateJson.ToElement(x), RecreateJson.ToElement(y), diffs);
            CompareHostMounts(a, xMounts, yMounts, diffs);
        }

        /// <summary>
        /// HostConfig.Mounts by target. Accepted: an anonymous volume entry of a (no source) whose b entry names the volume a got, and
        /// extra b entries that reattach by name a volume a had at that target without a HostConfig.Mounts entry (the recreate's pinning
        /// of anonymous and image volumes).
        /// </summary>
        private static void CompareHostMounts(ContainerInspectResponse a, IList<Mount>? xMounts, IList<Mount>? yMounts, List<string> diffs)
        {
            var xs = (xMounts ?? new List<Mount>()).ToList();
            var ys = (yMounts ?? new List<Mount>()).ToList();
            var points = a.Mounts ?? new List<MountPoint>();

            foreach (var m in xs.Where(m => m.Type == "volume" && string.IsNullOrEmpty(m.Source)))
            {
                m.Source = points.FirstOrDefault(p => p.Type == "volume" && RecreateSpec.SamePath(p.Destination, m.Target))?.Name;
            }

            ys.RemoveAll(m => m.Type == "volume" && !xs.Any(o => RecreateSpec.SamePath(o.Target, m.Target)) &&
                points.Any(p => p.Type == "volume" && string.Equals(p.Name, m.Source, StringComparison.Ordinal) && RecreateSpec.SamePath(p.Destination, m.Target) && p.RW == (m.ReadOnly != true)));

            foreach (var target in xs.Select(m => RecreateSpec.NormalisePath(m.Target)).Union(ys.Select(m => RecreateSpec.NormalisePath(m.Target))).OrderBy(t => t, StringComparer.Ordinal))
            {
                var xm = xs.FirstOrDefault(m => RecreateSpec.NormalisePath(m.Target) == target);
                var ym = ys.FirstOrDefault(m => RecreateSpec.NormalisePath(m.Target) == target);
                CompareJson("HostConfig.Mounts[" + target + "]", RecreateJson.ToElement(xm), RecreateJson.ToElement(ym), diffs);
            }
        }

        /// <summary>The mount points (what is really mounted) by destination: type, volume name, source, driver, mode (see <see cref="IsVolumeRelabelModeOnly"/>), RW, propagation.</summary>
        private static void CompareMountPoints(ContainerInspectResponse a, ContainerInspectResponse b, List<string> diffs)
        {
            var xs = a.Mounts ?? new List<MountPoint>();
            var ys = b.Mounts ?? new List<MountPoint>();
            foreach (var destination in xs.Select(m => RecreateSpec.NormalisePath(m.Destination)).Union(ys.Select(m => RecreateSpec.NormalisePath(m.Destination))).OrderBy(t => t, StringComparer.Ordinal))
            {
                var path = "Mounts[" + destination + "]";
                var x = xs.FirstOrDefault(m => RecreateSpec.NormalisePath(m.Destination) == destination);
                var y = ys.FirstOrDefault(m => RecreateSpec.NormalisePath(m.Destination) == destination);
                if (x is null || y is null)
                {
                    diffs.Add($"{path}: {(x is null ? "absent" : Describe(x))} vs {(y is null ? "absent" : Describe(y))}");
                    continue;
                }

                Scalar(path + ".Type", x.Type, y.Type, diffs);
                Scalar(path + ".Name", x.Name, y.Name, diffs);
                Scalar(path + ".Source", x.Source, y.Source, diffs);
                Scalar(path + ".Driver", x.Driver, y.Driver, diffs);
                Scalar(path + ".Mode", x.Mode, y.Mode, diffs, IsVolumeRelabelModeOnly(x, y));
                Scalar(path + ".RW", x.RW, y.RW, diffs);
                Scalar(path + ".Propagation", x.Propagation, y.Propagation, diffs);
            }
        }

        /// <summary>
        /// dockerd (20.10) records mode <c>z</c> for every local-driver volume mounted through Binds or Mounts ("setBindModeIfNull") but
        /// <c>""</c> for the anonymous volumes it creates itself from Config.Volumes/VOLUME. Reattaching such a volume by name therefore
        /// shows <c>z</c>: the same volume, a shared SELinux relabel at most (a no-op without SELinux). Accepted.
        /// </summary>
        private static bool IsVolumeRelabelModeOnly(MountPoint x, MountPoint y) =>
            x.Type == "volume" && y.Type == "volume" && (x.Driver ?? "local") == "local" && (y.Driver ?? "local") == "local" &&
            ((string.IsNullOrEmpty(x.Mode) && y.Mode == "z") || (x.Mode == "z" && string.IsNullOrEmpty(y.Mode)));

        /// <summary>
        /// Network endpoints by network name: NetworkID must be equal; aliases as a set minus each container's own short id; IPAM
        /// config; links; driver options; the address when a static one is configured (a dynamic one is the daemon's choice) and only
        /// when both containers are attached; the MAC when either is user-set (not <c>02:42:</c> + its address).
        /// </summary>
        private static void CompareNetworks(ContainerInspectResponse a, ContainerInspectResponse b, List<string> diffs)
        {
            var xs = a.NetworkSettings?.Networks ?? new Dictionary<string, EndpointSettings>();
            var ys = b.NetworkSettings?.Networks ?? new Dictionary<string, EndpointSettings>();
            var xShort = RecreateSpec.ShortId(a.ID);
            var yShort = RecreateSpec.ShortId(b.ID);
            foreach (var name in xs.Keys.Union(ys.Keys).OrderBy(k => k, StringComparer.Ordinal))
            {
                var path = "NetworkSettings.Networks[" + name + "]";
                xs.TryGetValue(name, out var x);
                ys.TryGetValue(name, out var y);
                if (x is null || y is null)
                {
                    diffs.Add($"{path}: {(x is null ? "absent" : "present")} vs {(y is null ? "absent" : "present")}");
                    continue;
                }

                Scalar(path + ".NetworkID", x.NetworkID, y.NetworkID, diffs);
                SetOf(path + ".Aliases", (x.Aliases ?? new List<string>()).Where(s => s != xShort), (y.Aliases ?? new List<string>()).Where(s => s != yShort), diffs);
                Scalar(path + ".IPAMConfig.IPv4Address", x.IPAMConfig?.IPv4Address ?? string.Empty, y.IPAMConfig?.IPv4Address ?? string.Empty, diffs);
                Scalar(path + ".IPAMConfig.IPv6Address", x.IPAMConfig?.IPv6Address ?? string.Empty, y.IPAMConfig?.IPv6Address ?? string.Empty, diffs);
                SetOf(path + ".IPAMConfig.LinkLocalIPs", x.IPAMConfig?.LinkLocalIPs ?? new List<string>(), y.IPAMConfig?.LinkLocalIPs ?? new List<string>(), diffs);
                SetOf(path + ".Links", x.Links ?? new List<string>(), y.Links ?? new List<string>(), diffs);
                MapFromImage(path + ".DriverOpts", Copy(x.DriverOpts), Copy(y.DriverOpts), null, null, false, diffs);

                var attached = !string.IsNullOrEmpty(x.IPAddress) && !string.IsNullOrEmpty(y.IPAddress);
                if (attached && (!string.IsNullOrEmpty(x.IPAMConfig?.IPv4Address) || !string.IsNullOrEmpty(y.IPAMConfig?.IPv4Address)))
                {
                    Scalar(path + ".IPAddress", x.IPAddress, y.IPAddress, diffs);
                }

                if (!string.IsNullOrEmpty(x.GlobalIPv6Address) && !string.IsNullOrEmpty(y.GlobalIPv6Address) &&
                    (!string.IsNullOrEmpty(x.IPAMConfig?.IPv6Address) || !string.IsNullOrEmpty(y.IPAMConfig?.IPv6Address)))
                {
                    Scalar(path + ".GlobalIPv6Address", x.GlobalIPv6Address, y.GlobalIPv6Address, diffs);
                }

                if (!string.IsNullOrEmpty(x.MacAddress) && !string.IsNullOrEmpty(y.MacAddress) && (RecreateSpec.IsUserSetMac(x) || RecreateSpec.IsUserSetMac(y)))
                {
                    Scalar(path + ".MacAddress", x.MacAddress, y.MacAddress, diffs);
                }
            }
        }

        /// <summary>Walks two JSON values; null equals an empty array or object except for MaskedPaths/ReadonlyPaths (null there means "daemon default").</summary>
        private static void CompareJson(string path, JsonElement x, JsonElement y, List<string> diffs)
        {
            var strictNull = path.EndsWith(".MaskedPaths", StringComparison.Ordinal) || path.EndsWith(".ReadonlyPaths", StringComparison.Ordinal);
            if (!strictNull && IsEmpty(x) && IsEmpty(y))
            {
                return;
            }

            if (x.ValueKind == JsonValueKind.Object && y.ValueKind == JsonValueKind.Object)
            {
                var names = x.EnumerateObject().Select(p => p.Name).Union(y.EnumerateObject().Select(p => p.Name)).OrderBy(n => n, StringComparer.Ordinal);
                foreach (var name in names)
                {
                    CompareJson(path + "." + name, Property(x, name), Property(y, name), diffs);
                }

                return;
            }

            if (x.ValueKind == JsonValueKind.Array && y.ValueKind == JsonValueKind.Array && x.GetArrayLength() == y.GetArrayLength())
            {
                var i = 0;
                var before = diffs.Count;
                foreach (var pair in x.EnumerateArray().Zip(y.EnumerateArray(), (l, r) => (l, r)))
                {
                    CompareJson(path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", pair.l, pair.r, diffs);
                    i++;
                }

                if (diffs.Count > before && x.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                {
                    diffs.RemoveRange(before, diffs.Count - before);
                    diffs.Add($"{path}: {x.GetRawText()} vs {y.GetRawText()}");
                }

                return;
            }

            if (x.ValueKind != y.ValueKind || x.GetRawText() != y.GetRawText())
            {
                diffs.Add($"{path}: {Raw(x)} vs {Raw(y)}");
            }
        }

        private static bool IsEmpty(JsonElement e) =>
            e.ValueKind == JsonValueKind.Null || e.ValueKind == JsonValueKind.Undefined ||
            (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 0) ||
            (e.ValueKind == JsonValueKind.Object && !e.EnumerateObject().Any());

        private static JsonElement Property(JsonElement e, string name) => e.TryGetProperty(name, out var value) ? value : default;

        private static string Raw(JsonElement e) => e.ValueKind == JsonValueKind.Undefined ? "absent" : e.GetRawText();

        private static void Scalar<T>(string path, T x, T y, List<string> diffs, bool accepted = false)
        {
            var xs = Format(x);
            var ys = Format(y);
            if (!accepted && !string.Equals(xs, ys, StringComparison.Ordinal))
            {
                diffs.Add($"{path}: {xs} vs {ys}");
            }
        }

        private static void ScalarFromImage(string path, string? x, string? y, string? ix, string? iy, bool haveImages, List<string> diffs)
        {
            x ??= string.Empty;
            y ??= string.Empty;
            var accepted = haveImages && x == (ix ?? string.Empty) && y == (iy ?? string.Empty);
            Scalar(path, x, y, diffs, accepted);
        }

        private static void ListFromImage(string path, IList<string>? x, IList<string>? y, IList<string>? ix, IList<string>? iy, bool haveImages, List<string> diffs)
        {
            if (RecreateSpec.SameList(x, y))
            {
                return;
            }

            if (haveImages && RecreateSpec.SameList(x, ix) && RecreateSpec.SameList(y, iy))
            {
                return;
            }

            diffs.Add($"{path}: {Describe(x)} vs {Describe(y)}");
        }

        private static void MapFromImage(string path, IDictionary<string, string?> x, IDictionary<string, string?> y, IDictionary<string, string?>? ix, IDictionary<string, string?>? iy, bool haveImages, List<string> diffs)
        {
            foreach (var key in x.Keys.Union(y.Keys).OrderBy(k => k, StringComparer.Ordinal))
            {
                var xv = x.TryGetValue(key, out var v1) ? v1 : null;
                var yv = y.TryGetValue(key, out var v2) ? v2 : null;
                var xHas = x.ContainsKey(key);
                var yHas = y.ContainsKey(key);
                if (xHas == yHas && string.Equals(xv, yv, StringComparison.Ordinal))
                {
                    continue;
                }

                if (haveImages && ix != null && iy != null &&
                    ix.ContainsKey(key) == xHas && (!xHas || string.Equals(ix[key], xv, StringComparison.Ordinal)) &&
                    iy.ContainsKey(key) == yHas && (!yHas || string.Equals(iy[key], yv, StringComparison.Ordinal)))
                {
                    continue;
                }

                diffs.Add($"{path}[{key}]: {(xHas ? Quote(xv) : "absent")} vs {(yHas ? Quote(yv) : "absent")}");
            }
        }

        private static void SetOf(string path, IEnumerable<string> x, IEnumerable<string> y, List<string> diffs)
        {
            var xs = new SortedSet<string>(x, StringComparer.Ordinal);
            var ys = new SortedSet<string>(y, StringComparer.Ordinal);
            if (!xs.SetEquals(ys))
            {
                diffs.Add($"{path}: [{string.Join(", ", xs)}] vs [{string.Join(", ", ys)}]");
            }
        }

        private static Dictionary<string, string?> EnvMap(IList<string>? env)
        {
            var map = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var entry in env ?? new List<string>())
            {
                var eq = entry.IndexOf('=');
                map[eq < 0 ? entry : entry.Substring(0, eq)] = eq < 0 ? null : entry.Substring(eq + 1);
            }

            return map;
        }

        private static Dictionary<string, string?> KeyMap(IDictionary<string, EmptyStruct>? keys) =>
            (keys ?? new Dictionary<string, EmptyStruct>()).Keys.ToDictionary(k => k, _ => (string?)string.Empty, StringComparer.Ordinal);

        private static Dictionary<string, string?> Copy(IDictionary<string, string>? map) =>
            (map ?? new Dictionary<string, string>()).ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);

        private static string? Text(TimeSpan? value) => value?.Ticks.ToString(CultureInfo.InvariantCulture);

        private static string Format<T>(T value) => value switch
        {
            null => "null",
            string s => Quote(s),
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };

        private static string Quote(string? s) => s is null ? "null" : "\"" + s + "\"";

        private static string Describe(IList<string>? list) => list is null ? "null" : "[" + string.Join(", ", list.Select(Quote)) + "]";

        private static string Describe(MountPoint m) => $"{m.Type} {(string.IsNullOrEmpty(m.Name) ? m.Source : m.Name)} {(m.RW ? "rw" : "ro")}";
    }
}
