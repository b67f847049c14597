using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ArkManager.Images.Docker
{
    /// <summary>Where the Docker engine is and how to talk to it (resolved like the Docker CLI does).</summary>
    internal sealed record DockerEndpoint
    {
        public const string DefaultUnixSocket = "unix:///var/run/docker.sock";
        public const string DefaultNamedPipe = "npipe://./pipe/docker_engine";

        public Uri Uri { get; init; } = new Uri(DefaultUnixSocket);

        /// <summary>option, DOCKER_HOST, context '&lt;name&gt;', or default.</summary>
        public string Source { get; init; } = "default";

        /// <summary>Use TLS (tcp endpoints with DOCKER_TLS_VERIFY, or context TLS material).</summary>
        public bool UseTls { get; init; }

        /// <summary>Verify the daemon's certificate against the CA in <see cref="CertificateDirectory"/>.</summary>
        public bool VerifyServer { get; init; }

        /// <summary>Folder with ca.pem, cert.pem and key.pem.</summary>
        public string? CertificateDirectory { get; init; }

        public string Display => Uri.OriginalString;

        /// <summary>Resolves the endpoint: explicit, then DOCKER_HOST, then DOCKER_CONTEXT / currentContext, then the platform default.</summary>
        public static DockerEndpoint Resolve(string? explicitHost, string? dockerConfigDirectory, Func<string, string?>? environment = null, bool? isWindows = null,
            bool? tlsVerifySetting = null, string? certPathOverride = null)
        {
            environment ??= Environment.GetEnvironmentVariable;
            var windows = isWindows ?? RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var configDir = ResolveConfigDirectory(dockerConfigDirectory, environment);
            var tlsVerify = tlsVerifySetting ?? IsTruthy(environment("DOCKER_TLS_VERIFY"));
            var certPathSetting = string.IsNullOrWhiteSpace(certPathOverride) ? environment("DOCKER_CERT_PATH") : certPathOverride;
            var certPath = string.IsNullOrEmpty(certPathSetting) ? configDir : certPathSetting!;

            if (!string.IsNullOrWhiteSpace(explicitHost))
            {
                return FromHost(explicitHost!, "option", tlsVerify, certPath);
            }

            var dockerHost = environment("DOCKER_HOST");
            if (!string.IsNullOrWhiteSpace(dockerHost))
            {
                return FromHost(dockerHost!, "DOCKER_HOST", tlsVerify, certPath);
            }

            var context = environment("DOCKER_CONTEXT");
            if (string.IsNullOrWhiteSpace(context))
            {
                context = ReadCurrentContext(configDir);
            }

            if (!string.IsNullOrWhiteSpace(context) && context != "default")
            {
                var fromContext = FromContext(context!, configDir);
                if (fromContext != null)
                {
                    return fromContext;
                }

                throw new DockerUnavailableException("context " + context, $"the docker context '{context}' was not found under {Path.Combine(configDir, "contexts")}");
            }

            return new DockerEndpoint { Uri = new Uri(windows ? DefaultNamedPipe : DefaultUnixSocket), Source = "default" };
        }

        internal static string ResolveConfigDirectory(string? dockerConfigDirectory, Func<string, string?> environment)
        {
            if (!string.IsNullOrWhiteSpace(dockerConfigDirectory))
            {
                return dockerConfigDirectory!;
            }

            var fromEnv = environment("DOCKER_CONFIG");
            if (!string.IsNullOrWhiteSpace(fromEnv))
            {
                return fromEnv!;
            }

            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(home, ".docker");
        }

        private static DockerEndpoint FromHost(string host, string source, bool tlsVerify, string certPath)
        {
            var text = host.Trim();
            if (text.IndexOf("://", StringComparison.Ordinal) < 0)
            {
                // Docker accepts host:port as tcp://host:port.
                text = "tcp://" + text;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            {
                throw new DockerUnavailableException(host, "it is not a valid Docker endpoint (use unix:///path, npipe://./pipe/name, tcp://host:port or https://host:port)");
            }

            switch (uri.Scheme)
            {
                case "unix":
                case "npipe":
                    return new DockerEndpoint { Uri = uri, Source = source };
                case "tcp":
                case "http":
                case "https":
                    var useTls = tlsVerify || uri.Scheme == "https" || (uri.Scheme == "tcp" && uri.Port == 2376 && HasClientCertificate(certPath));
                    return new DockerEndpoint
                    {
                        Uri = uri,
                        Source = source,
                        UseTls = useTls,
                        VerifyServer = tlsVerify,
                        CertificateDirectory = useTls ? certPath : null,
                    };
                case "ssh":
                    throw new DockerUnavailableException(host, "ssh:// endpoints are not supported; forward the socket (ssh -L) or use a tcp endpoint with TLS");
                default:
                    throw new DockerUnavailableException(host, $"the scheme '{uri.Scheme}' is not supported (use unix, npipe, tcp or https)");
            }
        }

        private static bool HasClientCertificate(string certPath) =>
            File.Exists(Path.Combine(certPath, "cert.pem")) && File.Exists(Path.Combine(certPath, "key.pem"));

        private static string? ReadCurrentContext(string configDir)
        {
            var file = Path.Combine(configDir, "config.json");
            if (!File.Exists(file))
            {
                return null;
            }

            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                return doc.RootElement.ValueKind == JsonValueKind.Object &&
                       doc.RootElement.TryGetProperty("currentContext", out var ctx) && ctx.ValueKind == JsonValueKind.String
                    ? ctx.GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static DockerEndpoint? FromContext(string name, string configDir)
        {
            var id = ContextId(name);
            var meta = Path.Combine(configDir, "contexts", "meta", id, "meta.json");
            if (!File.Exists(meta))
            {
                return null;
            }

            using var doc = JsonDocument.Parse(File.ReadAllText(meta));
            if (!doc.RootElement.TryGetProperty("Endpoints", out var endpoints) || !endpoints.TryGetProperty("docker", out var docker) ||
                !docker.TryGetProperty("Host", out var hostElement) || hostElement.GetString() is not string host)
            {
                return null;
            }

            var skipVerify = docker.TryGetProperty("SkipTLSVerify", out var skip) && skip.ValueKind == JsonValueKind.True;
            var tlsDir = Path.Combine(configDir, "contexts", "tls", id, "docker");
            var hasTls = Directory.Exists(tlsDir);
            var endpoint = FromHost(host, "context " + name, false, tlsDir);
            if (hasTls && (endpoint.Uri.Scheme == "tcp" || endpoint.Uri.Scheme == "https"))
            {
                endpoint = endpoint with { UseTls = true, VerifyServer = !skipVerify && File.Exists(Path.Combine(tlsDir, "ca.pem")), CertificateDirectory = tlsDir };
            }

            return endpoint;
        }

        internal static string ContextId(string name)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(name));
            var sb = new StringBuilder(64);
            foreach (var b in hash)
            {
                sb.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }

        private static bool IsTruthy(string? value) =>
            !string.IsNullOrEmpty(value) && value != "0" && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);
    }
}
