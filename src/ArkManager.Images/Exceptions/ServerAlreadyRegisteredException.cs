namespace ArkManager.Images
{
    /// <summary>
    /// A container is already a managed server (registered, or labelled <c>io.arkmanager.server</c>) under another name
    /// or owner: registering it again would take the server out of its owner's scope. Nothing was changed.
    /// </summary>
    public sealed class ServerAlreadyRegisteredException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="container">The container that was given.</param>
        /// <param name="currentName">The server name it is managed under now.</param>
        /// <param name="currentOwner">Its owner now (null: none).</param>
        /// <param name="labelled">True when the name comes from its labels (which only a recreate changes), so Force cannot help.</param>
        public ServerAlreadyRegisteredException(string container, string currentName, string? currentOwner, bool labelled)
            : base($"Container '{container}' is already the managed server '{currentName}' ({(currentOwner is null ? "no owner" : "owner '" + currentOwner + "'")}). " +
                   (labelled
                       ? $"Its name and owner come from its labels ({ServerLabels.Server}, {ServerLabels.Owner}) and change only when it is recreated; nothing was changed."
                       : "Nothing was changed; to re-register it anyway pass -Force (Force in the library), which keeps its owner unless a new one is given."))
        {
            Container = container;
            CurrentName = currentName;
            CurrentOwner = currentOwner;
            IsLabelled = labelled;
        }

        /// <summary>The container that was given.</summary>
        public string Container { get; }

        /// <summary>The server name the container is managed under now.</summary>
        public string CurrentName { get; }

        /// <summary>The server's owner now (null: none).</summary>
        public string? CurrentOwner { get; }

        /// <summary>True when the name and owner come from the container's labels (Force does not apply).</summary>
        public bool IsLabelled { get; }

        /// <inheritdoc />
        public override string ErrorId => "ServerAlreadyRegistered";

        /// <inheritdoc />
        public override object? Target => Container;
    }
}
