using System.Collections.Generic;

namespace ArkManager.Images
{
    /// <summary>Several configured hosts have a server by that name; name it as <c>host/name</c>.</summary>
    public sealed class AmbiguousServerNameException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public AmbiguousServerNameException(string name, IReadOnlyList<string> hosts)
            : base($"More than one host has a server named '{name}' ({string.Join(", ", hosts)}); name it as {hosts[0]}/{name} or use -Host.")
        {
            Name = name;
            Hosts = hosts;
        }

        /// <summary>The name that was asked for.</summary>
        public string Name { get; }

        /// <summary>The hosts that have a server by that name.</summary>
        public IReadOnlyList<string> Hosts { get; }

        /// <inheritdoc />
        public override string ErrorId => "AmbiguousServerName";

        /// <inheritdoc />
        public override object? Target => Name;
    }

    /// <summary>A name or option names a host that is not configured, or an operation needs a host and none was named.</summary>
    public sealed class UnknownHostException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public UnknownHostException(string host, string message)
            : base(message)
        {
            Host = host;
        }

        /// <summary>The host that was named (empty when none was).</summary>
        public string Host { get; }

        /// <inheritdoc />
        public override string ErrorId => "UnknownHost";

        /// <inheritdoc />
        public override object? Target => Host;
    }
}
