namespace ArkManager.Images
{
    /// <summary>One configured host: its engine, or why it cannot be reached.</summary>
    public sealed record HostStatus
    {
        /// <summary>The host's name.</summary>
        public string Host { get; init; } = string.Empty;

        /// <summary>Whether the engine answered.</summary>
        public bool Reachable { get; init; }

        /// <summary>The engine, when it answered.</summary>
        public DockerEngineInfo? Engine { get; init; }

        /// <summary>Why it did not answer, or null.</summary>
        public string? Error { get; init; }
    }
}
