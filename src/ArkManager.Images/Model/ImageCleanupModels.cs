using System;
using System.Collections.Generic;
using System.Linq;

namespace ArkManager.Images
{
    /// <summary>What <see cref="IArkImageManager.RemoveOldImagesAsync"/> did with one image.</summary>
    public sealed record ImageCleanupEntry
    {
        /// <summary>The configured host of the image; null with a single engine.</summary>
        public string? Host { get; init; }

        // ToString shows list properties as their values, not their type name (see RecordText).
        private bool PrintMembers(System.Text.StringBuilder builder) => RecordText.PrintMembers(this, builder);

        /// <summary>The image id.</summary>
        public string Id { get; init; } = string.Empty;

        /// <summary>Its tags.</summary>
        public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();

        /// <summary>When it was built.</summary>
        public DateTimeOffset Created { get; init; }

        /// <summary>Why it was removed or kept.</summary>
        public string Reason { get; init; } = string.Empty;
    }

    /// <summary>The result of removing old images of a repository.</summary>
    public sealed record ImageCleanupResult
    {
        // ToString shows list properties as their values, not their type name (see RecordText).
        private bool PrintMembers(System.Text.StringBuilder builder) => RecordText.PrintMembers(this, builder);

        /// <summary>The repository.</summary>
        public string Repository { get; init; } = string.Empty;

        /// <summary>Images removed (in a plan: images that would be removed).</summary>
        public IReadOnlyList<ImageCleanupEntry> Removed { get; init; } = Array.Empty<ImageCleanupEntry>();

        /// <summary>Images kept, with the reason.</summary>
        public IReadOnlyList<ImageCleanupEntry> Kept { get; init; } = Array.Empty<ImageCleanupEntry>();

        /// <summary>True for the result of <see cref="IArkImageManager.PlanRemoveOldImagesAsync"/>: nothing was removed.</summary>
        public bool IsPlan { get; init; }
    }
}
