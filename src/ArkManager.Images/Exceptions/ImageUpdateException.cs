namespace ArkManager.Images
{
    /// <summary>An image could not be updated: its registry check or its pull failed, so no server was touched.</summary>
    public sealed class ImageUpdateException : ArkManagerException
    {
        private readonly string _errorId;

        /// <summary>Creates the exception.</summary>
        /// <param name="image">The image reference.</param>
        /// <param name="errorId">The ErrorId of the cause (e.g. RegistryUnreachable).</param>
        /// <param name="message">What happened and what to do.</param>
        public ImageUpdateException(string image, string errorId, string message)
            : base(message)
        {
            Image = image;
            _errorId = errorId;
        }

        /// <summary>The image reference.</summary>
        public string Image { get; }

        /// <inheritdoc />
        public override string ErrorId => _errorId;

        /// <inheritdoc />
        public override object? Target => Image;
    }
}
