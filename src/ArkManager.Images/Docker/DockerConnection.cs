using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Internal;
using global::Docker.DotNet;
using global::Docker.DotNet.X509;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// Owns the Docker.DotNet client of one endpoint. Negotiates the Engine API version once per endpoint (the lower of
    /// the daemon's maximum and the highest this library knows, never below the daemon's minimum) and pins it.
    /// </summary>
    internal sealed class DockerConnection : IDisposable
    {
        /// <summary>The newest Engine API the bundled Docker.DotNet models describe.</summary>
        public static readonly Version MaxKnownApiVersion = new Version(1, 54);

        /// <summary>The oldest Engine API this library is written for (Docker 20.10).</summary>
        public static readonly Version MinUsableApiVersion = new Version(1, 41);

        private static readonly ConcurrentDictionary<string, NegotiatedVersion> Negotiated = new ConcurrentDictionary<string, NegotiatedVersion>(StringComparer.Ordinal);

        private readonly ArkManagerOptions _options;
        private readonly ILogger _logger;
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private DockerClient? _client;
        private DockerClient? _transferClient;
        private DockerEngineInfo? _engine;
        private bool _disposed;

        public DockerConnection(ArkManagerOptions options, ILogger logger)
        {
            _options = options;
            _logger = logger;
            Endpoint = DockerEndpoint.Resolve(options.DockerHost, options.DockerConfigDirectory, tlsVerifySetting: options.DockerTlsVerify, certPathOverride: options.DockerCertPath);
        }

        public DockerEndpoint Endpoint { get; }

        /// <summary>The negotiated Engine API version (after the first connect).</summary>
        public Version ApiVersion { get; private set; } = MinUsableApiVersion;

        /// <summary>Returns the connected client, connecting and negotiating on first use.</summary>
        public async Task<DockerClient> GetClientAsync(CancellationToken cancellationToken)
        {
            if (_client != null)
            {
                return _client;
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_disposed)
                {
                    throw new ObjectDisposedException(nameof(ArkImageManager));
                }

                if (_client == null)
                {
                    await ConnectAsync(cancellationToken).ConfigureAwait(false);
                }

                return _client!;
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>
        /// A client without the per-request timeout, for uploads whose length grows with the data (volume restores).
        /// Docker.DotNet bounds uploads by the request timeout; downloads and stops are not bounded either way.
        /// </summary>
        public async Task<DockerClient> GetTransferClientAsync(CancellationToken cancellationToken)
        {
            await GetClientAsync(cancellationToken).ConfigureAwait(false);
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return _transferClient ??= Build(ApiVersion, System.Threading.Timeout.InfiniteTimeSpan);
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task<DockerEngineInfo> GetEngineInfoAsync(CancellationToken cancellationToken)
        {
            await GetClientAsync(cancellationToken).ConfigureAwait(false);
            return _engine!;
        }

        private async Task ConnectAsync(CancellationToken cancellationToken)
        {
            var key = Endpoint.Display;
            if (!Negotiated.TryGetValue(key, out var negotiated))
            {
                using var probe = Build(null, _options.ConnectTimeout);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.ConnectTimeout);
                global::Docker.DotNet.Models.VersionResponse version;
                try
                {
                    version = await probe.System.GetVersionAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new DockerUnavailableException(Endpoint.Display, $"no answer within {_options.ConnectTimeout.TotalSeconds:0.#} s");
                }
                catch (Exception ex) when (IsConnectionFailure(ex))
                {
                    throw new DockerUnavailableException(Endpoint.Display, DescribeConnectionFailure(ex), ex);
                }
                catch (DockerApiException ex)
                {
                    throw new DockerUnavailableException(Endpoint.Display, $"the daemon answered {(int)ex.StatusCode}: {DockerErrors.MessageOf(ex)}", ex);
                }

                negotiated = Negotiate(version.APIVersion, version.MinAPIVersion, Endpoint.Display);
                negotiated = negotiated with { EngineVersion = version.Version, Os = version.Os };
                Negotiated[key] = negotiated;
            }

            Log.Negotiated(_logger, Endpoint.Display, Endpoint.Source, negotiated.EngineVersion, negotiated.Version.ToString(), negotiated.ServerMax.ToString());

            _client = Build(negotiated.Version, _options.DockerRequestTimeout);
            ApiVersion = negotiated.Version;
            _engine = new DockerEngineInfo
            {
                Endpoint = Endpoint.Display,
                EndpointSource = Endpoint.Source,
                Version = negotiated.EngineVersion,
                ApiVersion = negotiated.Version.ToString(),
                MaxApiVersion = negotiated.ServerMax.ToString(),
                MinApiVersion = negotiated.ServerMin.ToString(),
                Os = negotiated.Os,
            };
        }

        /// <summary>The negotiation rule, pure so it can be tested.</summary>
        internal static NegotiatedVersion Negotiate(string serverMax, string? serverMin, string endpoint)
        {
            if (!TryParseApiVersion(serverMax, out var max))
            {
                throw new DockerUnavailableException(endpoint, $"the daemon reported an unreadable API version '{serverMax}'");
            }

            var min = TryParseApiVersion(serverMin, out var parsedMin) ? parsedMin : new Version(1, 12);
            var chosen = max < MaxKnownApiVersion ? max : MaxKnownApiVersion;
            if (chosen < min)
            {
                throw new DockerUnavailableException(endpoint, $"the daemon requires Engine API {min} or newer but this library knows at most {MaxKnownApiVersion}; update ArkManager.Images");
            }

            if (chosen < MinUsableApiVersion)
            {
                throw new DockerUnavailableException(endpoint, $"the daemon speaks Engine API {max}; ArkManager.Images needs {MinUsableApiVersion} (Docker 20.10) or newer");
            }

            return new NegotiatedVersion(chosen, max, min, string.Empty, string.Empty);
        }

        private static bool TryParseApiVersion(string? text, out Version version)
        {
            version = new Version(0, 0);
            if (string.IsNullOrWhiteSpace(text))
            {
                return false;
            }

            var parts = text!.Split('.');
            if (parts.Length != 2 ||
                !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) ||
                !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
            {
                return false;
            }

            version = new Version(major, minor);
            return true;
        }

        private DockerClient Build(Version? apiVersion, TimeSpan timeout)
        {
            var builder = new DockerClientBuilder()
                .WithEndpoint(Endpoint.Uri)
                .WithTimeout(timeout)
                .WithApiVersion(apiVersion);
            if (Endpoint.UseTls)
            {
                builder = builder.WithAuthProvider(CreateTlsCredentials());
            }

            return builder.Build();
        }

        private CertificateCredentials CreateTlsCredentials()
        {
            var dir = Endpoint.CertificateDirectory ?? string.Empty;
            X509Certificate2? clientCertificate = null;
            if (File.Exists(Path.Combine(dir, "cert.pem")) && File.Exists(Path.Combine(dir, "key.pem")))
            {
                clientCertificate = DockerTlsCertificates.LoadCertificateFromPemFiles(Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"));
            }

            var credentials = new CertificateCredentials(clientCertificate);
            var caPath = Path.Combine(dir, "ca.pem");
            if (Endpoint.VerifyServer && File.Exists(caPath))
            {
                var ca = DockerTlsCertificates.LoadCertificateAuthorityFromPemFile(caPath);
                credentials.ServerCertificateValidationCallback = (_, certificate, _, errors) => ValidateAgainstCa(certificate, errors, ca);
            }
            else if (!Endpoint.VerifyServer)
            {
                credentials.ServerCertificateValidationCallback = (_, _, _, _) => true;
            }

            return credentials;
        }

        private static bool ValidateAgainstCa(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 ca)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            chain.ChainPolicy.ExtraStore.Add(ca);
            using var leaf = new X509Certificate2(certificate);
            if (!chain.Build(leaf))
            {
                return false;
            }

            foreach (var element in chain.ChainElements)
            {
                if (element.Certificate.Thumbprint == ca.Thumbprint)
                {
                    return true;
                }
            }

            return false;
        }

        internal static bool IsConnectionFailure(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e is HttpRequestException || e is SocketException || e is IOException || e is TimeoutException ||
                    e is UnauthorizedAccessException || e is System.Security.Authentication.AuthenticationException)
                {
                    return true;
                }
            }

            return false;
        }

        internal static string DescribeConnectionFailure(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e is SocketException socket)
                {
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused (is the daemon running?)",
                        SocketError.AddressNotAvailable => "the socket does not exist",
                        SocketError.TimedOut => "the connection timed out",
                        SocketError.HostNotFound => "the host name could not be resolved",
                        SocketError.AccessDenied => "access denied (is this account allowed to use the Docker socket?)",
                        _ => socket.Message,
                    };
                }

                if (e is UnauthorizedAccessException)
                {
                    return "access denied (is this account allowed to use the Docker socket or pipe?)";
                }

                if (e is System.Security.Authentication.AuthenticationException)
                {
                    return "the TLS handshake failed: " + e.Message;
                }
            }

            return ex.InnerException?.Message ?? ex.Message;
        }

        public void Dispose()
        {
            _disposed = true;
            _client?.Dispose();
            _transferClient?.Dispose();
            _gate.Dispose();
        }

        internal sealed record NegotiatedVersion(Version Version, Version ServerMax, Version ServerMin, string EngineVersion, string Os);
    }

    /// <summary>Turns Docker.DotNet failures into the library's exceptions.</summary>
    internal static class DockerErrors
    {
        public static string MessageOf(DockerApiException ex)
        {
            var body = ex.ResponseBody;
            if (string.IsNullOrWhiteSpace(body))
            {
                return ex.StatusCode.ToString();
            }

            try
            {
                using var doc = JsonDocument.Parse(body!);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    return m.GetString()!;
                }
            }
            catch (JsonException)
            {
            }

            return body!.Trim();
        }

        public static bool IsNotFound(Exception ex) => ex is DockerApiException api && api.StatusCode == HttpStatusCode.NotFound;

        /// <summary>Runs a daemon call and translates its failures.</summary>
        public static async Task<T> Call<T>(DockerEndpoint endpoint, string operation, string target, Func<Task<T>> call)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                throw new DockerOperationException(operation, target, (int)ex.StatusCode, MessageOf(ex), ex);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is ArkManagerException) && DockerConnection.IsConnectionFailure(ex))
            {
                throw new DockerUnavailableException(endpoint.Display, DockerConnection.DescribeConnectionFailure(ex), ex);
            }
        }

        public static async Task Call(DockerEndpoint endpoint, string operation, string target, Func<Task> call)
        {
            await Call<bool>(endpoint, operation, target, async () =>
            {
                await call().ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
    }
}
