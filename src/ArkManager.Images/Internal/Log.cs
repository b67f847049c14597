using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Internal
{
    /// <summary>The library's log messages (source-generated; no secret is ever a parameter).</summary>
    internal static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connected to Docker {Version} at {Endpoint} (from {Source}); using Engine API {ApiVersion} (daemon max {MaxApiVersion})")]
        public static partial void Negotiated(ILogger logger, string endpoint, string source, string version, string apiVersion, string maxApiVersion);

        [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Image {Image} is present locally as {Id}")]
        public static partial void ImagePresent(ILogger logger, string image, string id);

        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Required image {Image} is missing locally")]
        public static partial void ImageMissing(ILogger logger, string image);

        [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Pulling {Image} (requested explicitly)")]
        public static partial void PullStarting(ILogger logger, string image);

        [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Pulled {Image}: {Id} ({Digest})")]
        public static partial void PullCompleted(ILogger logger, string image, string id, string? digest);

        [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Pull of {Image} failed: {Message}")]
        public static partial void PullFailed(ILogger logger, string image, string message);

        [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "Pull {Image}: {Layer} {Status}")]
        public static partial void PullStatus(ILogger logger, string image, string? layer, string status);

        [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Update check {Image}: {State} (local {LocalDigest}, registry {RemoteDigest})")]
        public static partial void UpdateChecked(ILogger logger, string image, ArkManager.Images.ImageUpdateState state, string? localDigest, string? remoteDigest);

        [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Update check {Image} failed: {Message}")]
        public static partial void UpdateCheckFailed(ILogger logger, string image, string message);

        [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Created server {Server} ({ContainerId}) from {Image}")]
        public static partial void ServerCreated(ILogger logger, string server, string containerId, string image);

        [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Started server {Server}")]
        public static partial void ServerStarted(ILogger logger, string server);

        [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "Stopping server {Server}: up to {TimeoutSeconds} s for the world save (signal {Signal})")]
        public static partial void ServerStopping(ILogger logger, string server, double timeoutSeconds, string signal);

        [LoggerMessage(EventId = 43, Level = LogLevel.Information, Message = "Stopped server {Server} in {Seconds:0.0} s")]
        public static partial void ServerStopped(ILogger logger, string server, double seconds);

        [LoggerMessage(EventId = 44, Level = LogLevel.Information, Message = "Start of server {Server} refused: image {Image} is missing locally")]
        public static partial void StartRefused(ILogger logger, string server, string image);

        [LoggerMessage(EventId = 45, Level = LogLevel.Warning, Message = "Server {Server}: port {Port} has no fixed host port, Docker picks a new one at every start")]
        public static partial void RandomHostPort(ILogger logger, string server, string port);

        [LoggerMessage(EventId = 49, Level = LogLevel.Warning, Message = "Container {Container} re-registered (Force): {Change}")]
        public static partial void ServerReRegistered(ILogger logger, string container, string change);
    }
}
