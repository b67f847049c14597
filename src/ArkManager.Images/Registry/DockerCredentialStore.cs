using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images.Registry
{
    /// <summary>
    /// Finds registry credentials the way the Docker CLI stores them, in <c>config.json</c> of the Docker configuration
    /// folder (<see cref="ArkManagerOptions.DockerConfigDirectory"/>, else <c>DOCKER_CONFIG</c>, else <c>~/.docker</c>):
    /// a per-registry helper from <c>credHelpers</c>, else the default helper <c>credsStore</c>, else the <c>auths</c>
    /// entry (base64 <c>auth</c>, <c>username</c>/<c>password</c> or <c>identitytoken</c>). The file is read at every
    /// lookup, so a <c>docker login</c> in between is seen. Nothing here logs or throws a secret.
    /// </summary>
    internal sealed partial class DockerCredentialStore
    {
        /// <summary>The key Docker uses for Docker Hub in <c>auths</c> and with credential helpers.</summary>
        public const string DockerHubServerAddress = "https://index.docker.io/v1/";

        private const string ConfigFileName = "config.json";
        private const string HelperPrefix = "docker-credential-";
        private const string TokenUsername = "<token>";

        private static readonly string[] DockerHubHosts = { "index.docker.io", "docker.io", "registry-1.docker.io" };

        private readonly TimeSpan _helperTimeout;
        private readonly ILogger _logger;
        private readonly string? _helperDirectory;

        /// <summary>Creates a store.</summary>
        /// <param name="configDirectory">The Docker configuration folder; null: <c>DOCKER_CONFIG</c>, else <c>~/.docker</c>.</param>
        /// <param name="helperTimeout">How long a credential helper may run before it is killed.</param>
        /// <param name="logger">Where warnings go (a broken file, a missing helper).</param>
        /// <param name="helperDirectory">Where to find <c>docker-credential-*</c> programs; null searches PATH (as Docker does).</param>
        public DockerCredentialStore(string? configDirectory, TimeSpan helperTimeout, ILogger? logger = null, string? helperDirectory = null)
        {
            if (helperTimeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(helperTimeout), "The credential helper timeout must be positive.");
            }

            ConfigDirectory = ResolveConfigDirectory(configDirectory);
            ConfigFile = Path.Combine(ConfigDirectory, ConfigFileName);
            _helperTimeout = helperTimeout;
            _logger = logger ?? NullLogger.Instance;
            _helperDirectory = string.IsNullOrWhiteSpace(helperDirectory) ? null : helperDirectory;
        }

        /// <summary>The Docker configuration folder in use.</summary>
        public string ConfigDirectory { get; }

        /// <summary>The <c>config.json</c> that is read.</summary>
        public string ConfigFile { get; }

        /// <summary>The configuration folder: <paramref name="configured"/>, else <c>DOCKER_CONFIG</c>, else <c>~/.docker</c>.</summary>
        public static string ResolveConfigDirectory(string? configured)
        {
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return Path.GetFullPath(configured);
            }

            var fromEnvironment = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                return Path.GetFullPath(fromEnvironment);
            }

            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetEnvironmentVariable("HOME") ?? ".";
            }

            return Path.Combine(home, ".docker");
        }

        /// <summary>True for every name Docker Hub goes by (<c>docker.io</c>, <c>index.docker.io</c>, <c>registry-1.docker.io</c>, <c>https://index.docker.io/v1/</c>).</summary>
        public static bool IsDockerHub(string registry) =>
            DockerHubHosts.Contains(HostOf(registry), StringComparer.OrdinalIgnoreCase);

        /// <summary>The server address Docker uses as the credential key: <c>https://index.docker.io/v1/</c> for Docker Hub, else host[:port].</summary>
        public static string ServerAddressFor(string registry) => IsDockerHub(registry) ? DockerHubServerAddress : HostOf(registry);

        /// <summary>
        /// The credentials for <paramref name="registryHost"/> (host[:port] as in an image reference, e.g. <c>docker.io</c>
        /// or <c>127.0.0.1:5000</c>), or null when none are configured. A missing or broken <c>config.json</c> counts as none
        /// (a broken one is logged as a warning). A configured helper that hangs or fails throws
        /// <see cref="CredentialHelperException"/>; a helper that is not installed is logged and skipped.
        /// </summary>
        public async Task<RegistryCredential?> GetAsync(string registryHost, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(registryHost))
            {
                throw new ArgumentException("A registry host is required.", nameof(registryHost));
            }

            var hub = IsDockerHub(registryHost);
            var host = hub ? ImageReference.DockerHub : HostOf(registryHost);
            var config = ReadConfig();
            if (config is null)
            {
                return null;
            }

            var serverAddress = ServerAddressFor(host);
            var helper = FindHelperFor(config.CredHelpers, host, hub) ?? config.CredsStore;
            var fromFile = FindAuthEntry(config, host, hub);
            if (!string.IsNullOrWhiteSpace(helper))
            {
                var fromHelper = await RunHelperAsync(helper!, host, serverAddress, cancellationToken).ConfigureAwait(false);
                if (fromHelper is not null)
                {
                    return fromHelper;
                }
            }

            return fromFile;
        }

        /// <summary>The host part of a registry key: scheme and path removed (<c>https://host:5000/v1/</c> → <c>host:5000</c>), lowercase.</summary>
        internal static string HostOf(string key)
        {
            var text = key.Trim();
            var scheme = text.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                text = text.Substring(scheme + 3);
            }

            var slash = text.IndexOf('/');
            if (slash >= 0)
            {
                text = text.Substring(0, slash);
            }

            return text.ToLowerInvariant();
        }

        private static bool KeyMatches(string key, string host, bool hub) =>
            hub ? DockerHubHosts.Contains(HostOf(key), StringComparer.OrdinalIgnoreCase) : string.Equals(HostOf(key), host, StringComparison.OrdinalIgnoreCase);

        private static string? FindHelperFor(IReadOnlyDictionary<string, string> helpers, string host, bool hub)
        {
            if (hub && helpers.TryGetValue(DockerHubServerAddress, out var exactHub))
            {
                return exactHub;
            }

            if (helpers.TryGetValue(host, out var exact))
            {
                return exact;
            }

            return helpers.Where(p => KeyMatches(p.Key, host, hub)).Select(p => p.Value).FirstOrDefault();
        }
    }
}
