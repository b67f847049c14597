namespace ArkManager.Images
{
    /// <summary>
    /// The container labels this library reads and writes: the one place their names are spelled. A server is a container
    /// labelled <see cref="Server"/> (or one adopted through the registration file).
    /// </summary>
    internal static class ServerLabels
    {
        /// <summary>The server's name; the label that makes a container a managed server.</summary>
        public const string Server = "io.arkmanager.server";

        /// <summary>The image reference the server follows (a rollback runs an image id but keeps following this).</summary>
        public const string Image = "io.arkmanager.image";

        /// <summary>Set on containers created by New-ArkServer.</summary>
        public const string Managed = "io.arkmanager.managed";

        /// <summary>The server's owner (a user id of the embedding app).</summary>
        public const string Owner = "io.arkmanager.owner";

        /// <summary>The cluster whose servers are updated one after another.</summary>
        public const string Cluster = "io.arkmanager.cluster";

        /// <summary>The RCON port inside the container.</summary>
        public const string RconPort = "io.arkmanager.rcon.port";

        /// <summary>The host to reach RCON at (default: the published port on loopback).</summary>
        public const string RconHost = "io.arkmanager.rcon.host";

        /// <summary>The environment variable that holds the RCON (admin) password.</summary>
        public const string RconPasswordEnv = "io.arkmanager.rcon.password-env";

        /// <summary>The tag that keeps a server's previous image as its rollback target: <c>&lt;repo&gt;:ark-rollback-&lt;server&gt;</c>.</summary>
        public const string RollbackTagPrefix = "ark-rollback-";

        /// <summary>During a transaction the replacement carries the container's name plus this suffix.</summary>
        public const string TempSuffix = "-ark-new";

        /// <summary>During a transaction the old container is renamed to its name plus this suffix.</summary>
        public const string AsideSuffix = "-ark-old";

        /// <summary>Every label of this library starts with this prefix.</summary>
        public const string Prefix = "io.arkmanager.";
    }
}
