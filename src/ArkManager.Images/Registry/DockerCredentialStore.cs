using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
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
    internal sealed class DockerCredentialStore
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

        private RegistryCredential? FindAuthEntry(ConfigFileContent config, string host, bool hub)
        {
            // Exact key first (as Docker does), then any key whose host part matches.
            var candidates = config.Auths
                .Where(p => KeyMatches(p.Key, host, hub))
                .OrderBy(p => p.Key == (hub ? DockerHubServerAddress : host) ? 0 : 1)
                .ToList();
            foreach (var candidate in candidates)
            {
                var credential = ReadAuthEntry(candidate.Key, candidate.Value);
                if (credential is not null)
                {
                    return credential;
                }
            }

            return null;
        }

        private RegistryCredential? ReadAuthEntry(string key, JsonElement entry)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                RegistryLog.CredentialEntryUnusable(_logger, key, ConfigFile, "it is not a JSON object");
                return null;
            }

            var source = "auths in " + ConfigFile;
            string? username = null;
            string? password = null;
            var auth = GetString(entry, "auth");
            if (!string.IsNullOrEmpty(auth))
            {
                string decoded;
                try
                {
                    decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth!.Trim()));
                }
                catch (FormatException)
                {
                    RegistryLog.CredentialEntryUnusable(_logger, key, ConfigFile, "the 'auth' value is not base64 of 'user:password'");
                    return null;
                }

                var colon = decoded.IndexOf(':');
                if (colon < 0)
                {
                    RegistryLog.CredentialEntryUnusable(_logger, key, ConfigFile, "the decoded 'auth' value has no ':' between user and password");
                    return null;
                }

                username = decoded.Substring(0, colon);
                password = decoded.Substring(colon + 1);
            }
            else
            {
                username = GetString(entry, "username");
                password = GetString(entry, "password");
            }

            var identityToken = GetString(entry, "identitytoken");
            if (!string.IsNullOrEmpty(identityToken))
            {
                return new RegistryCredential(string.IsNullOrEmpty(username) ? TokenUsername : username!, identityToken!, true) { Source = source };
            }

            if (string.IsNullOrEmpty(username) && string.IsNullOrEmpty(password))
            {
                // An empty entry ({}) is what Docker leaves when a helper holds the secret.
                return null;
            }

            return new RegistryCredential(username ?? string.Empty, password ?? string.Empty, false) { Source = source };
        }

        private static string? GetString(JsonElement element, string name)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                {
                    return property.Value.GetString();
                }
            }

            return null;
        }

        private ConfigFileContent? ReadConfig()
        {
            string text;
            try
            {
                if (!File.Exists(ConfigFile))
                {
                    return null;
                }

                text = File.ReadAllText(ConfigFile);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                RegistryLog.ConfigUnreadable(_logger, ConfigFile, ex.GetType().Name + ": " + ex.Message);
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    RegistryLog.ConfigUnreadable(_logger, ConfigFile, "the top level is not a JSON object");
                    return null;
                }

                var content = new ConfigFileContent();
                foreach (var property in root.EnumerateObject())
                {
                    switch (property.Name.ToLowerInvariant())
                    {
                        case "auths" when property.Value.ValueKind == JsonValueKind.Object:
                            foreach (var entry in property.Value.EnumerateObject())
                            {
                                content.Auths[entry.Name] = entry.Value.Clone();
                            }

                            break;
                        case "credhelpers" when property.Value.ValueKind == JsonValueKind.Object:
                            foreach (var entry in property.Value.EnumerateObject())
                            {
                                if (entry.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(entry.Value.GetString()))
                                {
                                    content.CredHelpers[entry.Name] = entry.Value.GetString()!;
                                }
                            }

                            break;
                        case "credsstore" when property.Value.ValueKind == JsonValueKind.String:
                            content.CredsStore = property.Value.GetString();
                            break;
                    }
                }

                return content;
            }
            catch (JsonException ex)
            {
                // The parser's own message quotes characters of the file, which may be part of a secret: give the position only.
                var where = ex.LineNumber is long line ? $"invalid JSON at line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}" : "invalid JSON";
                RegistryLog.ConfigUnreadable(_logger, ConfigFile, where);
                return null;
            }
        }

        private async Task<RegistryCredential?> RunHelperAsync(string helper, string registry, string serverAddress, CancellationToken cancellationToken)
        {
            if (helper.IndexOfAny(new[] { '/', '\\' }) >= 0 || helper.Contains("..") || helper.Trim().Length != helper.Length)
            {
                RegistryLog.HelperFailed(_logger, helper, registry, "the helper name is not a plain name");
                return null;
            }

            var path = ResolveHelperPath(helper);
            if (path is null)
            {
                RegistryLog.HelperNotInstalled(_logger, helper, registry);
                return null;
            }

            var startInfo = new ProcessStartInfo(path, "get")
            {
                UseShellExecute = false,
                CreateNoWindow = true,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };

            using var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
            var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.Exited += (_, _) => exited.TrySetResult(true);
            try
            {
                process.Start();
            }
            catch (Exception ex) when (ex is Win32Exception || ex is InvalidOperationException)
            {
                RegistryLog.HelperFailed(_logger, helper, registry, "it could not be started: " + ex.Message);
                throw new CredentialHelperException(helper, registry, "could not be started (" + ex.Message + ")", ex);
            }

            var stopwatch = Stopwatch.StartNew();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await process.StandardInput.WriteAsync(serverAddress).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited before reading its input; its exit code and output tell the rest.
            }

            using (var timeout = new CancellationTokenSource(_helperTimeout))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (linked.Token.Register(() => stopped.TrySetResult(true)))
                {
                    await Task.WhenAny(exited.Task, stopped.Task).ConfigureAwait(false);
                }
            }

            if (!exited.Task.IsCompleted && !HasExited(process))
            {
                Kill(process);
                cancellationToken.ThrowIfCancellationRequested();
                var problem = $"did not answer within {_helperTimeout.TotalSeconds:0.#} s and was stopped";
                RegistryLog.HelperFailed(_logger, helper, registry, problem);
                throw new CredentialHelperException(helper, registry, problem);
            }

            // The helper has exited; a child it left behind could still hold the pipes open, so bound the wait for them.
            var rest = _helperTimeout - stopwatch.Elapsed;
            var streams = Task.WhenAll(stdout, stderr);
            if (await Task.WhenAny(streams, Task.Delay(rest > TimeSpan.FromSeconds(1) ? rest : TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false) != streams)
            {
                cancellationToken.ThrowIfCancellationRequested();
                const string problem = "exited but its output did not end";
                RegistryLog.HelperFailed(_logger, helper, registry, problem);
                throw new CredentialHelperException(helper, registry, problem);
            }

            var output = stdout.Result;
            var exitCode = process.ExitCode;
            if (exitCode != 0)
            {
                var message = (output.Trim().Length > 0 ? output : stderr.Result).Trim();
                if (message.IndexOf("credentials not found", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    RegistryLog.HelperHasNoCredentials(_logger, helper, registry);
                    return null;
                }

                var problem = $"failed with exit code {exitCode}" + (SafeExcerpt(message) is string excerpt ? ": " + excerpt : string.Empty);
                RegistryLog.HelperFailed(_logger, helper, registry, problem);
                throw new CredentialHelperException(helper, registry, problem);
            }

            return ParseHelperOutput(helper, registry, output);
        }

        private RegistryCredential? ParseHelperOutput(string helper, string registry, string output)
        {
            string? username = null;
            string? secret = null;
            try
            {
                using var document = JsonDocument.Parse(output);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    username = GetString(document.RootElement, "Username");
                    secret = GetString(document.RootElement, "Secret");
                }
                else
                {
                    throw new CredentialHelperException(helper, registry, "answered with JSON that is not an object of credentials");
                }
            }
            catch (JsonException ex)
            {
                // Never quote the output: it is meant to contain the secret.
                const string problem = "answered with something that is not JSON credentials";
                RegistryLog.HelperFailed(_logger, helper, registry, problem);
                throw new CredentialHelperException(helper, registry, problem, new InvalidDataException($"invalid JSON at line {(ex.LineNumber ?? 0) + 1}"));
            }

            if (string.IsNullOrEmpty(username) && string.IsNullOrEmpty(secret))
            {
                RegistryLog.HelperHasNoCredentials(_logger, helper, registry);
                return null;
            }

            var isToken = username == TokenUsername;
            return new RegistryCredential(username ?? string.Empty, secret ?? string.Empty, isToken) { Source = "credential helper '" + helper + "'" };
        }

        /// <summary>The first line of a helper's error text, if it does not look like it could carry credentials.</summary>
        private static string? SafeExcerpt(string message)
        {
            if (message.Length == 0 || message.IndexOf("secret", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("password", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return null;
            }

            var line = message.Split('\n')[0].Trim();
            return line.Length > 200 ? line.Substring(0, 200) + "…" : line;
        }

        private string? ResolveHelperPath(string helper)
        {
            var name = HelperPrefix + helper;
            var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var extensions = windows
                ? new[] { ".exe", ".cmd", ".bat", string.Empty }
                : new[] { string.Empty };
            IEnumerable<string> directories = _helperDirectory is not null
                ? new[] { _helperDirectory }
                : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Where(d => d.Trim().Length > 0);
            foreach (var directory in directories)
            {
                foreach (var extension in extensions)
                {
                    try
                    {
                        var candidate = Path.Combine(directory.Trim().Trim('"'), name + extension);
                        if (File.Exists(candidate))
                        {
                            return candidate;
                        }
                    }
                    catch (ArgumentException)
                    {
                        // A PATH entry with invalid characters: skip it.
                    }
                }
            }

            return null;
        }

        private static bool HasExited(Process process)
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }

        private static void Kill(Process process)
        {
            try
            {
#if NET
                process.Kill(entireProcessTree: true);
#else
                process.Kill();
#endif
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is Win32Exception || ex is NotSupportedException)
            {
                // Already gone.
            }
        }

        private sealed class ConfigFileContent
        {
            public Dictionary<string, JsonElement> Auths { get; } = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);

            public Dictionary<string, string> CredHelpers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

            public string? CredsStore { get; set; }
        }
    }
}
