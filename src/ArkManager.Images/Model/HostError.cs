namespace ArkManager.Images
{
    /// <summary>A configured host that could not take part in a call (unreachable engine, refused TLS, …); the other hosts did.</summary>
    public sealed record HostError
    {
        /// <summary>The host's name (<see cref="DockerHostOptions.Name"/>).</summary>
        public string Host { get; init; } = string.Empty;

        /// <summary>What went wrong, for a person.</summary>
        public string Error { get; init; } = string.Empty;

        /// <summary>The library's error id (for example <c>DockerUnavailable</c>).</summary>
        public string ErrorId { get; init; } = string.Empty;

        /// <inheritdoc />
        public override string ToString() => Host + ": " + Error;
    }
}
