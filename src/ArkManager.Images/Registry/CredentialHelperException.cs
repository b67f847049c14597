using System;

namespace ArkManager.Images.Registry
{
    /// <summary>
    /// A Docker credential helper (<c>docker-credential-&lt;name&gt;</c>) that is configured for a registry timed out or
    /// failed. The message names the helper and the registry, never a secret.
    /// </summary>
    internal sealed class CredentialHelperException : ArkManagerException
    {
        public CredentialHelperException(string helper, string registry, string problem, Exception? innerException = null)
            : base($"The Docker credential helper 'docker-credential-{helper}' configured for registry '{registry}' {problem}. " +
                   $"Check the helper (try: echo {registry} | docker-credential-{helper} get) or remove it from the Docker configuration, then run 'docker login {registry}' again.",
                   innerException)
        {
            Helper = helper;
            Registry = registry;
        }

        /// <summary>The helper's name (the part after <c>docker-credential-</c>).</summary>
        public string Helper { get; }

        /// <summary>The registry the credentials were asked for.</summary>
        public string Registry { get; }

        public override string ErrorId => "CredentialHelperFailed";

        public override object? Target => Registry;
    }
}
