using System;
using System.Collections.Generic;

namespace ArkManager.Images.Registry
{
    /// <summary>Settings of a <see cref="RegistryClient"/>.</summary>
    internal sealed record RegistryClientOptions
    {
        /// <summary>Registries (host[:port]) reached over plain http; loopback registries always are.</summary>
        public IReadOnlyList<string> InsecureRegistries { get; init; } = Array.Empty<string>();

        /// <summary>The timeout of one registry or token request.</summary>
        public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

        /// <summary>How long a Docker credential helper may run.</summary>
        public TimeSpan CredentialHelperTimeout { get; init; } = TimeSpan.FromSeconds(10);

        /// <summary>The Docker CLI configuration folder; null: DOCKER_CONFIG, else ~/.docker.</summary>
        public string? DockerConfigDirectory { get; init; }

        /// <summary>Where <c>docker-credential-*</c> helpers are looked for; null searches PATH (tests point it elsewhere).</summary>
        public string? CredentialHelperDirectory { get; init; }

        /// <summary>The registry settings of the library's options.</summary>
        public static RegistryClientOptions From(ArkManagerOptions options) => new RegistryClientOptions
        {
            InsecureRegistries = options.InsecureRegistries,
            Timeout = options.RegistryTimeout,
            CredentialHelperTimeout = options.CredentialHelperTimeout,
            DockerConfigDirectory = options.DockerConfigDirectory,
        };
    }
}
