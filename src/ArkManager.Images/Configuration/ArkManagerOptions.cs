using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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

        /// <summary>
        /// Several Docker engines (config key <c>hosts</c>), each with a name; empty: the one engine of <see cref="DockerHost"/>.
        /// With hosts, <see cref="ArkImageManager.Create"/> returns a manager that spans them all: servers are addressed as
        /// <c>host/name</c> (or by a name no other host uses), and each host keeps its journals, locks and history under
        /// <c>hosts/&lt;name&gt;</c> of the state directory.
        /// </summary>
        public IReadOnlyList<DockerHostOptions> Hosts { get; init; } = Array.Empty<DockerHostOptions>();

        /// <summary>The configured host this manager serves (set for each host of <see cref="Hosts"/>); null for a single engine.</summary>
        public string? HostName { get; init; }

        /// <summary>Verify the engine's TLS certificate (as DOCKER_TLS_VERIFY); null: the environment decides.</summary>
        public bool? DockerTlsVerify { get; init; }

        /// <summary>The folder with ca.pem, cert.pem and key.pem (as DOCKER_CERT_PATH); null: the environment decides.</summary>
        public string? DockerCertPath { get; init; }

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

            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var host in Hosts ?? Array.Empty<DockerHostOptions>())
            {
                if (host is null)
                {
                    throw new ArgumentException("Hosts must not contain null.");
                }

                host.Validate();
                if (!names.Add(host.Name))
                {
                    throw new ArgumentException($"The host name '{host.Name}' appears twice in hosts.");
                }
            }

            if ((Hosts?.Count ?? 0) > 0 && !string.IsNullOrWhiteSpace(DockerHost))
            {
                throw new ArgumentException("Set either dockerHost (one engine) or hosts (several engines), not both.");
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

        /// <summary>
        /// The options restricted to the named hosts (in the configured order), for commands aimed at some hosts only.
        /// Throws <see cref="ArgumentException"/> naming an unknown host and the configured ones.
        /// </summary>
        public ArkManagerOptions SelectHosts(IEnumerable<string> hostNames)
        {
            var wanted = new HashSet<string>(hostNames ?? throw new ArgumentNullException(nameof(hostNames)), StringComparer.OrdinalIgnoreCase);
            var known = Hosts ?? Array.Empty<DockerHostOptions>();
            foreach (var name in wanted)
            {
                if (!known.Any(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new UnknownHostException(name, known.Count == 0
                        ? $"No host named '{name}': no hosts are configured (add \"hosts\" to the configuration file)."
                        : $"No host named '{name}'; the configured hosts are: {string.Join(", ", known.Select(h => h.Name))}.");
                }
            }

            return this with { Hosts = known.Where(h => wanted.Contains(h.Name)).ToList() };
        }

        /// <summary>The options of one engine of <see cref="Hosts"/>: its endpoint and TLS, its own state folder, no hosts.</summary>
        internal ArkManagerOptions ForHost(DockerHostOptions host) => this with
        {
            Hosts = Array.Empty<DockerHostOptions>(),
            HostName = host.Name,
            DockerHost = host.DockerHost,
            DockerTlsVerify = host.TlsVerify,
            DockerCertPath = host.CertPath,
            StateDirectory = Path.Combine(EffectiveStateDirectory, "hosts", host.Name),
        };
    }
}
