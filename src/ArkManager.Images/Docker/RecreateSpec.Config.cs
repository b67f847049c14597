using System;
using System.Collections.Generic;
using System.Linq;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    // Config rules: hostname, environment, labels, entrypoint and command, healthcheck, exposed ports.
    internal static partial class RecreateSpec
    {
        /// <summary>
        /// Rule (hostname): carried only when user-set. dockerd's default hostname is the first 12 characters of the container id, so a
        /// hostname equal to the OLD short id is dropped (the replacement gets its own). With host or <c>container:</c> networking, or
        /// host UTS mode, the hostname is not the container's own and is never carried (dockerd refuses it there).
        /// </summary>
        private static string CarryHostname(ContainerInspectResponse old, ContainerConfig config)
        {
            var hostname = config.Hostname ?? string.Empty;
            return string.Equals(hostname, ShortId(old.ID), StringComparison.Ordinal) ? string.Empty : hostname;
        }

        /// <summary>
        /// Rule (environment): the old container's variables minus the entries identical (<c>KEY=value</c>) to the OLD image's, so the
        /// new image's defaults apply (a changed PATH, the image's own version variables); user overrides (same key, other value) and
        /// additions are kept, in their order.
        /// </summary>
        internal static IList<string>? CarryEnv(IList<string>? env, IList<string>? imageEnv)
        {
            if (env is null)
            {
                return null;
            }

            var fromImage = new HashSet<string>(imageEnv ?? new List<string>(), StringComparer.Ordinal);
            return env.Where(e => !fromImage.Contains(e)).ToList();
        }

        /// <summary>
        /// Rule (labels): the old container's labels minus those identical to the OLD image's (the new image's labels apply by
        /// themselves at create). Compose labels (<c>com.docker.compose.*</c>) and ArkManager labels (<c>io.arkmanager.*</c>) are always
        /// kept; <c>io.arkmanager.image</c>, the reference the server runs, is updated to <paramref name="newImageReference"/> when present.
        /// Nothing else is added.
        /// </summary>
        internal static IDictionary<string, string>? CarryLabels(IDictionary<string, string>? labels, IDictionary<string, string>? imageLabels, string newImageReference)
        {
            if (labels is null)
            {
                return null;
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in labels)
            {
                var always = pair.Key.StartsWith(ComposeLabelPrefix, StringComparison.Ordinal) || pair.Key.StartsWith(ArkManagerLabelPrefix, StringComparison.Ordinal);
                if (!always && imageLabels != null && imageLabels.TryGetValue(pair.Key, out var imageValue) && string.Equals(imageValue, pair.Value, StringComparison.Ordinal))
                {
                    continue;
                }

                result[pair.Key] = pair.Value;
            }

            if (result.ContainsKey(ServerLabels.Image))
            {
                result[ServerLabels.Image] = newImageReference;
            }

            return result;
        }

        /// <summary>
        /// Rule (entrypoint and command): the entrypoint is carried only when it differs from the old image's. A cleared entrypoint
        /// (<c>--entrypoint ""</c>, inspect <c>null</c> or <c>[]</c> while the image has one) is carried as <c>[""]</c> / <c>[]</c>, the forms
        /// dockerd stores back as <c>null</c> / <c>[]</c>. When the entrypoint is carried the command is carried as-is (dockerd never merges
        /// the image's command under a user entrypoint); otherwise the command is carried only when it differs from the old image's.
        /// </summary>
        internal static (IList<string>? Entrypoint, IList<string>? Cmd) CarryEntrypointAndCmd(ContainerConfig config, DockerOCIImageConfig image)
        {
            if (!SameList(config.Entrypoint, image.Entrypoint))
            {
                IList<string> entrypoint = config.Entrypoint is null ? new List<string> { string.Empty } : config.Entrypoint.ToList();
                return (entrypoint, CopyList(config.Cmd));
            }

            return (null, SameList(config.Cmd, image.Cmd) ? null : CopyList(config.Cmd));
        }

        /// <summary>
        /// Rule (healthcheck): field by field, only what differs from the OLD image's healthcheck is carried (dockerd fills the unset
        /// fields from the new image's healthcheck); a container healthcheck on an image without one is carried whole; <c>["NONE"]</c>
        /// (disabled) is carried when the image has a test.
        /// </summary>
        internal static HealthcheckConfig? CarryHealthcheck(HealthcheckConfig? container, HealthcheckConfig? image)
        {
            if (container is null)
            {
                return null;
            }

            if (image is null)
            {
                return RecreateJson.Clone(container);
            }

            var result = new HealthcheckConfig
            {
                Test = SameList(container.Test, image.Test) ? null : CopyList(container.Test),
                Interval = container.Interval == image.Interval ? null : container.Interval,
                Timeout = container.Timeout == image.Timeout ? null : container.Timeout,
                StartPeriod = container.StartPeriod == image.StartPeriod ? null : container.StartPeriod,
                StartInterval = container.StartInterval == image.StartInterval ? null : container.StartInterval,
                Retries = container.Retries == image.Retries ? null : container.Retries,
            };

            return result.Test is null && result.Interval is null && result.Timeout is null && result.StartPeriod is null && result.StartInterval is null && result.Retries is null
                ? null
                : result;
        }

        /// <summary>
        /// Rule (exposed ports): the container's exposed ports minus the OLD image's (those come back from the new image), plus every
        /// published port (a <c>PortBindings</c> key) the old container exposed and the new image no longer exposes — the CLI exposes
        /// every port it publishes, and a server must keep publishing its game ports whatever the new image declares.
        /// </summary>
        internal static IDictionary<string, EmptyStruct>? CarryExposedPorts(IDictionary<string, EmptyStruct>? container, IDictionary<string, EmptyStruct>? oldImage, IDictionary<string, EmptyStruct>? newImage, IDictionary<string, IList<PortBinding>>? bindings)
        {
            var result = SubtractKeys(container, oldImage) ?? new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
            foreach (var key in bindings?.Keys ?? Enumerable.Empty<string>())
            {
                if (container != null && container.ContainsKey(key) && (newImage is null || !newImage.ContainsKey(key)))
                {
                    result[key] = default;
                }
            }

            return result.Count == 0 ? null : result;
        }

        /// <summary>Rule (exposed ports, declared volumes): the container's keys minus the OLD image's (those come back from the new image); null when nothing is left.</summary>
        internal static IDictionary<string, EmptyStruct>? SubtractKeys(IDictionary<string, EmptyStruct>? container, IDictionary<string, EmptyStruct>? image)
        {
            if (container is null)
            {
                return null;
            }

            var result = new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
            foreach (var key in container.Keys)
            {
                if (image is null || !image.ContainsKey(key))
                {
                    result[key] = default;
                }
            }

            return result.Count == 0 ? null : result;
        }
    }
}
