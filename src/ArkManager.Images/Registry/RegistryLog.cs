using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Registry
{
    /// <summary>
    /// Log messages of the registry client and the credential store (source-generated, event ids 100–149).
    /// No parameter is ever a password, token, Authorization header or helper output that could hold one.
    /// </summary>
    internal static partial class RegistryLog
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Registry {Method} {Url} -> {StatusCode} in {ElapsedMs} ms")]
        public static partial void RequestCompleted(ILogger logger, string method, string url, int statusCode, long elapsedMs);

        [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Registry {Method} {Url} failed after {ElapsedMs} ms: {Problem}")]
        public static partial void RequestFailed(ILogger logger, string method, string url, long elapsedMs, string problem);

        [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Registry {Registry} asks for authentication: {Challenge}")]
        public static partial void Challenged(ILogger logger, string registry, string challenge);

        [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Token for {Registry} scope {Scope} obtained as {Identity}, valid {ExpiresInSeconds} s")]
        public static partial void TokenObtained(ILogger logger, string registry, string scope, string identity, int expiresInSeconds);

        [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "Reusing the cached token for {Registry} scope {Scope}")]
        public static partial void TokenReused(ILogger logger, string registry, string scope);

        [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Using credentials of user {Username} for {Registry} from {Source}")]
        public static partial void CredentialsFound(ILogger logger, string registry, string username, string source);

        [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "No credentials for {Registry} in {ConfigFile}; continuing anonymously")]
        public static partial void NoCredentials(ILogger logger, string registry, string configFile);

        [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "The Docker configuration file {ConfigFile} cannot be read ({Problem}); registry credentials from it are ignored")]
        public static partial void ConfigUnreadable(ILogger logger, string configFile, string problem);

        [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "The credential helper docker-credential-{Helper} configured for {Registry} is not installed; continuing without its credentials")]
        public static partial void HelperNotInstalled(ILogger logger, string helper, string registry);

        [LoggerMessage(EventId = 109, Level = LogLevel.Debug, Message = "The credential helper docker-credential-{Helper} has no credentials for {Registry}")]
        public static partial void HelperHasNoCredentials(ILogger logger, string helper, string registry);

        [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "The credential helper docker-credential-{Helper} failed for {Registry}: {Problem}")]
        public static partial void HelperFailed(ILogger logger, string helper, string registry, string problem);

        [LoggerMessage(EventId = 111, Level = LogLevel.Debug, Message = "Registry digest of {Image} is {Digest}")]
        public static partial void DigestResolved(ILogger logger, string image, string digest);

        [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "The entry for {Registry} in {ConfigFile} is unusable ({Problem}); it is ignored")]
        public static partial void CredentialEntryUnusable(ILogger logger, string registry, string configFile, string problem);

        [LoggerMessage(EventId = 113, Level = LogLevel.Information, Message = "Registry {Registry} rate-limited the check of {Image} (HTTP 429); retrying once after {DelayMs} ms as it asked")]
        public static partial void RateLimitedRetry(ILogger logger, string registry, string image, long delayMs);
    }
}
