using System;

namespace ArkManager.Images.Updates
{
    /// <summary>The update history could not be written or read.</summary>
    public sealed class UpdateHistoryException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public UpdateHistoryException(string filePath, string problem, Exception? innerException = null)
            : base($"Update history '{filePath}': {problem}.", innerException)
        {
            FilePath = filePath;
        }

        /// <summary>The history file.</summary>
        public string FilePath { get; }

        /// <inheritdoc />
        public override string ErrorId => "UpdateHistoryUnavailable";

        /// <inheritdoc />
        public override object? Target => FilePath;
    }
}
