using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using ArkManager.Images.Configuration;

namespace ArkManager.Images
{
    /// <summary>Settings of an <see cref="IArkImageManager"/>. Load them from a JSON file with <see cref="Load"/>.</summary>
    public sealed record ArkManagerOptions
    {
        /// <summary>The image the seed project runs its servers from.</summary>
        public const string DefaultRequiredImage = "tbro98/ase-server:latest";

        /// <summary>The environment variable that names a configuration file.</summary>
        public const string ConfigEnvironmentVariable = "ARKMANAGER_CONFIG";

        /// <summary>The images every server needs; validated and checked for updates.</summary>
        public IReadOnlyList<string> RequiredImages { get; init; } = new[] { DefaultRequiredImage };

        /// <summary>
        /// The Docker endpoint (<c>unix:///var/run/docker.sock</c>, <c>npipe://./pipe/docker_engine</c>, <c>tcp://host:2376</c>).
        /// Null resolves it like the Docker CLI: DOCKER_HOST, then the current docker context, then the platform default.
        /// </summary>
        public string? DockerHost { get; init; }

        /// <summary>Registries (host[:port]) reached over plain http. Loopback registries always count as insecure, as in Docker.</summary>
        public IReadOnlyList<string> InsecureRegistries { get; init; } = Array.Empty<string>();

        /// <summary>Where journals, history and locks are kept. Null: <see cref="DefaultStateDirectory"/>.</summary>
        public string? StateDirectory { get; init; }

        /// <summary>The Docker CLI configuration folder (credentials, contexts). Null: DOCKER_CONFIG, else ~/.docker.</summary>
        public string? DockerConfigDirectory { get; init; }

        /// <summary>How long to wait for the daemon to answer its first ping.</summary>
        public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

        /// <summary>The timeout of ordinary daemon requests (pulls and stops are not bounded by it).</summary>
        public TimeSpan DockerRequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

        /// <summary>The timeout of one registry request (update checks).</summary>
        public TimeSpan RegistryTimeout { get; init; } = TimeSpan.FromSeconds(15);

        /// <summary>How long a docker credential helper may take.</summary>
        public TimeSpan CredentialHelperTimeout { get; init; } = TimeSpan.FromSeconds(10);

        /// <summary>How many registry checks run at once.</summary>
        public int MaxConcurrentChecks { get; init; } = 8;

        /// <summary>
        /// Webhooks told about available updates, updates, rollbacks and failures (config key <c>webhooks</c>). Empty: none.
        /// A failed notification is logged and never fails an update.
        /// </summary>
        public IReadOnlyList<WebhookOptions> Webhooks { get; init; } = Array.Empty<WebhookOptions>();

        /// <summary>The file these options were loaded from, if any.</summary>
        public string? SourceFile { get; init; }

        /// <summary>The platform's default state directory: %ProgramData%\ArkManager\state or /var/lib/arkmanager.</summary>
        public static string DefaultStateDirectory =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ArkManager", "state")
                : "/var/lib/arkmanager";

        /// <summary>The platform's default configuration file: %ProgramData%\ArkManager\config.json or /etc/arkmanager/config.json.</summary>
        public static string DefaultConfigFile =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ArkManager", "config.json")
                : "/etc/arkmanager/config.json";

        /// <summary>The state directory in effect.</summary>
        public string EffectiveStateDirectory => string.IsNullOrWhiteSpace(StateDirectory) ? DefaultStateDirectory : StateDirectory!;

        /// <summary>
        /// Finds the configuration file: <paramref name="path"/> when given, else <c>ARKMANAGER_CONFIG</c>, else the platform default.
        /// Returns null when no path was given and the default file does not exist.
        /// </summary>
        public static string? ResolveConfigPath(string? path = null)
        {
            if (!string.IsNullOrWhiteSpace(path))
            {
                return Path.GetFullPath(path);
            }

            var fromEnvironment = Environment.GetEnvironmentVariable(ConfigEnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                return Path.GetFullPath(fromEnvironment);
            }

            return File.Exists(DefaultConfigFile) ? DefaultConfigFile : null;
        }

        /// <summary>
        /// Loads options from a JSON file (keys <c>dockerHost</c>, <c>requiredImages</c>, <c>insecureRegistries</c>,
        /// <c>stateDirectory</c>, <c>webhooks</c>, …). Without a file the defaults apply. An explicit or <c>ARKMANAGER_CONFIG</c> path that
        /// does not exist, or a broken file, throws <see cref="ArkConfigurationException"/> naming the file and line.
        /// </summary>
        public static ArkManagerOptions Load(string? path = null)
        {
            var resolved = ResolveConfigPath(path);
            return resolved is null ? new ArkManagerOptions() : ConfigFileReader.Read(resolved);
        }

        /// <summary>Checks every value; throws <see cref="ArgumentException"/> or <see cref="InvalidImageReferenceException"/>.</summary>
        public void Validate()
        {
            foreach (var image in RequiredImages)
            {
                ImageReference.Parse(image);
            }

            if (ConnectTimeout <= TimeSpan.Zero || RegistryTimeout <= TimeSpan.Zero || CredentialHelperTimeout <= TimeSpan.Zero || DockerRequestTimeout <= TimeSpan.Zero)
            {
                throw new ArgumentException("Timeouts must be positive.");
            }

            if (MaxConcurrentChecks < 1)
            {
                throw new ArgumentException("MaxConcurrentChecks must be at least 1.");
            }

            foreach (var webhook in Webhooks ?? Array.Empty<WebhookOptions>())
            {
                if (webhook is null)
                {
                    throw new ArgumentException("Webhooks must not contain null.");
                }

                webhook.Validate();
            }
        }
    }
}
