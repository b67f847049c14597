using System;
using System.Text.RegularExpressions;

namespace ArkManager.Images
{
    /// <summary>
    /// One Docker engine among several (<see cref="ArkManagerOptions.Hosts"/>; config key <c>hosts</c>). Servers on it are
    /// addressed as <c>name/server</c>, or by the server name alone when no other host has a server by that name.
    /// </summary>
    public sealed record DockerHostOptions
    {
        private static readonly Regex NamePattern = new Regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$", RegexOptions.CultureInvariant);

        /// <summary>The host's short name (<c>eu1</c>): letters, digits, <c>_ . -</c>, at most 63 characters.</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>The engine's endpoint (<c>tcp://10.0.0.5:2376</c>, <c>unix:///var/run/docker.sock</c>, <c>npipe://./pipe/docker_engine</c>).</summary>
        public string DockerHost { get; init; } = string.Empty;

        /// <summary>Verify the engine's TLS certificate with the CA in <see cref="CertPath"/> and present the client certificate there.</summary>
        public bool TlsVerify { get; init; }

        /// <summary>Folder with <c>ca.pem</c>, <c>cert.pem</c> and <c>key.pem</c> for a TLS endpoint; null: DOCKER_CERT_PATH, else the Docker config folder.</summary>
        public string? CertPath { get; init; }

        /// <summary>True when <paramref name="name"/> can name a host.</summary>
        public static bool IsValidName(string? name) => name != null && NamePattern.IsMatch(name);

        /// <summary>Checks the values; throws <see cref="ArgumentException"/> naming the host and what is wrong.</summary>
        public void Validate()
        {
            if (!IsValidName(Name))
            {
                throw new ArgumentException($"The host name '{Name}' is not valid: use letters, digits, '_', '.' and '-' (at most 63 characters, starting with a letter or digit).");
            }

            if (string.IsNullOrWhiteSpace(DockerHost))
            {
                throw new ArgumentException($"The host '{Name}' has no dockerHost (for example tcp://10.0.0.5:2376).");
            }
        }
    }
}
