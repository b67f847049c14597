namespace ArkManager.Images
{
    /// <summary>
    /// A server cannot be made or changed as a Swarm service: the endpoint is no Swarm manager, the node is unknown, or the
    /// image could not be pinned by digest. Raised before anything is changed.
    /// </summary>
    public sealed class SwarmServiceException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public SwarmServiceException(string server, string message)
            : base(message)
        {
            Server = server;
        }

        /// <summary>The server (service) the request was about.</summary>
        public string Server { get; }

        /// <inheritdoc />
        public override string ErrorId => "SwarmServiceRefused";

        /// <inheritdoc />
        public override object? Target => Server;
    }
}
