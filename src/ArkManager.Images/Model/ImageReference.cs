using System;
using System.Text.RegularExpressions;

namespace ArkManager.Images
{
    /// <summary>
    /// An image reference parsed and normalised the way Docker does: <c>ubuntu</c> is <c>docker.io/library/ubuntu:latest</c>,
    /// a first component with a dot, a colon or <c>localhost</c> is a registry host, a digest may follow <c>@</c>.
    /// </summary>
    public sealed class ImageReference : IEquatable<ImageReference>
    {
        /// <summary>Docker Hub's canonical registry name.</summary>
        public const string DockerHub = "docker.io";

        private const int MaxNameLength = 255;

        private static readonly Regex PathComponent = new Regex("^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$", RegexOptions.CultureInvariant);
        private static readonly Regex TagPattern = new Regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant);
        private static readonly Regex DigestPattern = new Regex("^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$", RegexOptions.CultureInvariant);
        private static readonly Regex DomainPattern = new Regex(
            "^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$",
            RegexOptions.CultureInvariant);

        private ImageReference(string registry, string repository, string? tag, string? digest)
        {
            Registry = registry;
            Repository = repository;
            Tag = tag;
            Digest = digest;
        }

        /// <summary>The registry host with its port, e.g. <c>docker.io</c> or <c>127.0.0.1:5000</c>.</summary>
        public string Registry { get; }

        /// <summary>The repository path inside the registry, e.g. <c>library/ubuntu</c> or <c>tbro98/ase-server</c>.</summary>
        public string Repository { get; }

        /// <summary>The tag; <c>latest</c> when neither tag nor digest was given; null for a digest-only reference.</summary>
        public string? Tag { get; }

        /// <summary>The digest (<c>sha256:…</c>) when the reference pins one.</summary>
        public string? Digest { get; }

        /// <summary>True for Docker Hub.</summary>
        public bool IsDockerHub => Registry == DockerHub;

        /// <summary>The host the registry API is served from (<c>registry-1.docker.io</c> for Docker Hub).</summary>
        public string RegistryApiHost => IsDockerHub ? "registry-1.docker.io" : Registry;

        /// <summary>The fully qualified repository: <c>docker.io/library/ubuntu</c>.</summary>
        public string FullRepository => Registry + "/" + Repository;

        /// <summary>The repository as Docker shows it: <c>ubuntu</c>, <c>tbro98/ase-server</c>, <c>127.0.0.1:5000/x/y</c>.</summary>
        public string FamiliarRepository
        {
            get
            {
                if (!IsDockerHub)
                {
                    return FullRepository;
                }

                return Repository.StartsWith("library/", StringComparison.Ordinal) && Repository.IndexOf('/', 8) < 0
                    ? Repository.Substring(8)
                    : Repository;
            }
        }

        /// <summary>The tag or digest part used to address the manifest (<c>latest</c> or <c>sha256:…</c>).</summary>
        public string ManifestReference => Digest ?? Tag ?? "latest";

        /// <summary>The fully qualified form: <c>docker.io/library/ubuntu:latest</c>.</summary>
        public string FullName => FullRepository + Suffix;

        /// <summary>True when the registry is on a loopback address (Docker treats those as insecure, i.e. plain http allowed).</summary>
        public bool IsLoopbackRegistry => IsLoopbackHost(Registry);

        private string Suffix => (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

        /// <summary>Parses a reference or throws <see cref="InvalidImageReferenceException"/> with the reason.</summary>
        public static ImageReference Parse(string? reference)
        {
            if (TryParse(reference, out var result, out var error))
            {
                return result!;
            }

            throw new InvalidImageReferenceException(reference ?? string.Empty, error!);
        }

        /// <summary>Parses a reference; returns false with the reason when it is invalid.</summary>
        public static bool TryParse(string? reference, out ImageReference? result, out string? error)
        {
            result = null;
            error = null;
            if (reference is null || reference.Trim().Length == 0)
            {
                error = "the reference is empty";
                return false;
            }

            var text = reference.Trim();
            if (text.IndexOfAny(new[] { ' ', '\t', '\r', '\n' }) >= 0)
            {
                error = "it contains white space";
                return false;
            }

            string? digest = null;
            var at = text.IndexOf('@');
            if (at >= 0)
            {
                digest = text.Substring(at + 1);
                text = text.Substring(0, at);
                if (!DigestPattern.IsMatch(digest))
                {
                    error = $"'{digest}' is not a valid digest (expected algorithm:hex, e.g. sha256:<64 hex digits>)";
                    return false;
                }

                if (digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length != 7 + 64)
                {
                    error = "a sha256 digest has exactly 64 hex digits";
                    return false;
                }

                digest = digest.ToLowerInvariant();
            }

            string? tag = null;
            var lastSlash = text.LastIndexOf('/');
            var colon = text.LastIndexOf(':');
            if (colon > lastSlash)
            {
                tag = text.Substring(colon + 1);
                text = text.Substring(0, colon);
                if (!TagPattern.IsMatch(tag))
                {
                    error = tag.Length == 0 ? "the tag after ':' is empty" : $"'{tag}' is not a valid tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')";
                    return false;
                }
            }

            if (text.Length == 0)
            {
                error = "the repository name is empty";
                return false;
            }

            string registry;
            string path;
            var slash = text.IndexOf('/');
            var first = slash < 0 ? string.Empty : text.Substring(0, slash);
            if (slash >= 0 && (first.IndexOf('.') >= 0 || first.IndexOf(':') >= 0 || first == "localhost" || first.ToLowerInvariant() != first))
            {
                registry = first;
                path = text.Substring(slash + 1);
                if (!DomainPattern.IsMatch(registry))
                {
                    error = $"'{registry}' is not a valid registry host";
                    return false;
                }

                var portAt = registry.LastIndexOf(':');
                if (portAt > registry.LastIndexOf(']') &&
                    (!int.TryParse(registry.Substring(portAt + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port < 1 || port > 65535))
                {
                    error = $"'{registry}' is not a valid registry host: the port must be a number from 1 to 65535";
                    return false;
                }

                if (registry == "index.docker.io" || registry == "registry-1.docker.io")
                {
                    registry = DockerHub;
                }
            }
            else
            {
                registry = DockerHub;
                path = text;
            }

            if (path.Length == 0)
            {
                error = "the repository name is empty";
                return false;
            }

            foreach (var component in path.Split('/'))
            {
                if (component.Length == 0)
                {
                    error = "the repository name has an empty path component";
                    return false;
                }

                if (component.ToLowerInvariant() != component)
                {
                    error = "repository names must be lowercase";
                    return false;
                }

                if (!PathComponent.IsMatch(component))
                {
                    error = $"'{component}' is not a valid repository name component (lowercase letters, digits and single separators '.', '_', '__' or '-')";
                    return false;
                }
            }

            if (registry == DockerHub && path.IndexOf('/') < 0)
            {
                path = "library/" + path;
            }

            if (registry.Length + 1 + path.Length > MaxNameLength)
            {
                error = $"the repository name is longer than {MaxNameLength} characters";
                return false;
            }

            if (tag is null && digest is null)
            {
                tag = "latest";
            }

            result = new ImageReference(registry, path, tag, digest);
            return true;
        }

        /// <summary>True when <paramref name="repoDigestOrTag"/> (<c>repo@sha256:…</c> or <c>repo:tag</c>, as in an image's RepoDigests or RepoTags) belongs to this reference's repository.</summary>
        public bool IsSameRepository(string repoDigestOrTag)
        {
            if (repoDigestOrTag is null)
            {
                return false;
            }

            var at = repoDigestOrTag.IndexOf('@');
            var name = at >= 0 ? repoDigestOrTag.Substring(0, at) : repoDigestOrTag;
            var slash = name.LastIndexOf('/');
            var colon = name.LastIndexOf(':');
            if (colon > slash)
            {
                name = name.Substring(0, colon);
            }

            return TryParse(name, out var other, out _) && other!.FullRepository == FullRepository;
        }

        /// <summary>Returns the digest part of a RepoDigests entry, or null.</summary>
        public static string? DigestOf(string repoDigest)
        {
            var at = repoDigest.IndexOf('@');
            return at < 0 ? null : repoDigest.Substring(at + 1);
        }

        /// <summary>Returns this reference with another tag (and no digest).</summary>
        public ImageReference WithTag(string tag) => Parse(FamiliarRepository + ":" + tag);

        internal static bool IsLoopbackHost(string hostWithPort)
        {
            var host = hostWithPort;
            if (host.StartsWith("[", StringComparison.Ordinal))
            {
                var end = host.IndexOf(']');
                host = end > 0 ? host.Substring(1, end - 1) : host;
            }
            else
            {
                var colon = host.LastIndexOf(':');
                if (colon >= 0)
                {
                    host = host.Substring(0, colon);
                }
            }

            return host == "localhost" || host == "::1" || host.StartsWith("127.", StringComparison.Ordinal);
        }

        /// <summary>The familiar form Docker prints: <c>ubuntu:latest</c>, <c>tbro98/ase-server:latest</c>, <c>127.0.0.1:5000/x/y:v1</c>.</summary>
        public override string ToString() => FamiliarRepository + Suffix;

        /// <inheritdoc />
        public bool Equals(ImageReference? other) => other is not null && FullName == other.FullName;

        /// <inheritdoc />
        public override bool Equals(object? obj) => Equals(obj as ImageReference);

        /// <inheritdoc />
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(FullName);
    }
}
