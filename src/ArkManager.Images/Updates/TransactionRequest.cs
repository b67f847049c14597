namespace ArkManager.Images.Updates
{
    /// <summary>What one transaction is asked to do.</summary>
    internal sealed record TransactionRequest
    {
        public string Kind { get; init; } = "Update";

        public ServerInfo Server { get; init; } = new ServerInfo();

        /// <summary>The reference the server is known by (label io.arkmanager.image) after the transaction.</summary>
        public string ImageReference { get; init; } = string.Empty;

        /// <summary>What goes into Config.Image of the replacement (a reference, or an image id for a rollback).</summary>
        public string TargetConfigImage { get; init; } = string.Empty;

        public string TargetImageId { get; init; } = string.Empty;

        public string? TargetDigest { get; init; }

        public string? OldDigest { get; init; }

        public RecreateOptions Options { get; init; } = new RecreateOptions();
    }
}
