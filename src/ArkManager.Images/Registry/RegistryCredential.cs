namespace ArkManager.Images.Registry
{
    /// <summary>
    /// Credentials for one registry, as found in the Docker CLI configuration. <see cref="Secret"/> is a password or, when
    /// <see cref="IsIdentityToken"/> is true, an OAuth2 refresh token (Docker's <c>identitytoken</c>).
    /// <see cref="ToString"/> never shows the secret.
    /// </summary>
    internal sealed record RegistryCredential(string Username, string Secret, bool IsIdentityToken)
    {
        /// <summary>Where the credentials came from, for logs (e.g. <c>config.json auths</c>, <c>credential helper 'pass'</c>).</summary>
        public string Source { get; init; } = "unknown";

        /// <summary>Shows the user name and where the credentials came from, never the secret.</summary>
        public override string ToString() =>
            $"RegistryCredential {{ Username = {Username}, Secret = ***, IsIdentityToken = {IsIdentityToken}, Source = {Source} }}";
    }
}
