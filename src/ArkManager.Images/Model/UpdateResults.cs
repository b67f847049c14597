using System;
using System.Collections.Generic;
using System.Linq;

namespace ArkManager.Images
{
    /// <summary>The result of updating several images in one rolling run.</summary>
    public sealed record BatchUpdateResult
    {
        // ToString shows list properties as their values, not their type name (see RecordText).
        private bool PrintMembers(System.Text.StringBuilder builder) => RecordText.PrintMembers(this, builder);

        /// <summary>One result per image, in the order they were given.</summary>
        public IReadOnlyList<ImageUpdateResult> Images { get; init; } = Array.Empty<ImageUpdateResult>();

        /// <summary>Every server of every image.</summary>
        public IReadOnlyList<ServerUpdateResult> Servers { get; init; } = Array.Empty<ServerUpdateResult>();

        /// <summary>True when no image failed (its check or pull) and no server failed or rolled back.</summary>
        public bool Succeeded { get; init; }

        /// <summary>A one-line summary.</summary>
        public string Summary { get; init; } = string.Empty;

        /// <summary>The first image whose update did not succeed; null when all did.</summary>
        public ImageUpdateResult? FirstFailure => Images.FirstOrDefault(i => !i.Succeeded);

        /// <summary>The failure as the exception a caller throws (the first failed image's); null when the run succeeded.</summary>
        public ArkManagerException? ToException() => Succeeded ? null : FirstFailure?.ToException() ?? new ArkManagerException("The update did not succeed: " + Summary);
    }

    /// <summary>How an update of one server ended.</summary>
    public enum UpdateOutcome
    {
        /// <summary>The server runs the new image.</summary>
        Updated,

        /// <summary>The new container failed; the old one runs again.</summary>
        RolledBack,

        /// <summary>The update failed and could not be rolled back completely (see the error).</summary>
        Failed,

        /// <summary>Nothing to do: the server already runs the target image.</summary>
        AlreadyCurrent,

        /// <summary>Not attempted (filtered out, or an earlier server failed).</summary>
        Skipped,

        /// <summary>An unfinished transaction found at start was completed.</summary>
        Recovered,

        /// <summary>A manual rollback succeeded: the server runs the image it ran before its last successful update.</summary>
        Reverted,
    }

    /// <summary>Timing and outcome of one step.</summary>
    public sealed record StepRecord
    {
        /// <summary>The step.</summary>
        public UpdateStep Step { get; init; }

        /// <summary>When it started.</summary>
        public DateTimeOffset StartedAt { get; init; }

        /// <summary>How long it took.</summary>
        public TimeSpan Duration { get; init; }

        /// <summary>Completed, Failed, Undone or Skipped.</summary>
        public string Status { get; init; } = string.Empty;

        /// <summary>What happened, when there is something to say.</summary>
        public string? Detail { get; init; }
    }

    /// <summary>The result of updating (or recreating, or rolling back) one server.</summary>
    public sealed record ServerUpdateResult
    {
        /// <summary>The configured host of the server; null with a single engine.</summary>
        public string? Host { get; init; }

        // ToString shows list properties as their values, not their type name (see RecordText).
        private bool PrintMembers(System.Text.StringBuilder builder) => RecordText.PrintMembers(this, builder);

        /// <summary>The server.</summary>
        public string Server { get; init; } = string.Empty;

        /// <summary>The image reference.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>How it ended.</summary>
        public UpdateOutcome Outcome { get; init; }

        /// <summary>The container before.</summary>
        public string OldContainerId { get; init; } = string.Empty;

        /// <summary>The container after (the old one again after a rollback).</summary>
        public string ContainerId { get; init; } = string.Empty;

        /// <summary>The image id before.</summary>
        public string OldImageId { get; init; } = string.Empty;

        /// <summary>The image id targeted.</summary>
        public string NewImageId { get; init; } = string.Empty;

        /// <summary>The repository digest before, when known.</summary>
        public string? OldDigest { get; init; }

        /// <summary>The repository digest targeted, when known.</summary>
        public string? NewDigest { get; init; }

        /// <summary>Why it failed or rolled back.</summary>
        public string? Error { get; init; }

        /// <summary>The steps, in order, with timings.</summary>
        public IReadOnlyList<StepRecord> Steps { get; init; } = Array.Empty<StepRecord>();

        /// <summary>The backup archive, when one was made.</summary>
        public string? BackupPath { get; init; }

        /// <summary>The history record id.</summary>
        public string? HistoryId { get; init; }

        /// <summary>True unless the server rolled back or failed (a <see cref="UpdateOutcome.Reverted"/> manual rollback is a success).</summary>
        public bool Succeeded => Outcome != UpdateOutcome.RolledBack && Outcome != UpdateOutcome.Failed;

        /// <summary>
        /// The failure as the exception a caller throws, its message led by <paramref name="context"/> (e.g. "Updating
        /// image 'x'"); null when the server succeeded.
        /// </summary>
        public ServerUpdateException? ToException(string? context = null)
        {
            if (Succeeded)
            {
                return null;
            }

            var lead = string.IsNullOrEmpty(context) ? "Updating server '" + Server + "'" : context;
            var reason = string.IsNullOrEmpty(Error) ? string.Empty : ": " + Error!.Trim().TrimEnd('.');
            var message = Outcome == UpdateOutcome.RolledBack
                ? $"{lead}: the new container of server '{Server}' failed and was rolled back{reason}. The server runs its previous container again."
                : $"{lead}: server '{Server}' failed and could not be rolled back completely{reason}. Check the server before anything else.";
            return new ServerUpdateException(message, this);
        }
    }

    /// <summary>The result of <see cref="IArkImageManager.UpdateImageAsync"/>.</summary>
    public sealed record ImageUpdateResult
    {
        /// <summary>The configured host this result is for (each host pulls and updates its own servers); null with a single engine.</summary>
        public string? Host { get; init; }

        // ToString shows list properties as their values, not their type name (see RecordText).
        private bool PrintMembers(System.Text.StringBuilder builder) => RecordText.PrintMembers(this, builder);

        /// <summary>The image reference.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The registry check that started it.</summary>
        public ImageUpdateCheck? Check { get; init; }

        /// <summary>True when the image was pulled.</summary>
        public bool Pulled { get; init; }

        /// <summary>The local image id before.</summary>
        public string? OldImageId { get; init; }

        /// <summary>The local image id after.</summary>
        public string? NewImageId { get; init; }

        /// <summary>One result per affected server.</summary>
        public IReadOnlyList<ServerUpdateResult> Servers { get; init; } = Array.Empty<ServerUpdateResult>();

        /// <summary>True when the image's check and pull worked and no server failed or rolled back.</summary>
        public bool Succeeded { get; init; }

        /// <summary>A one-line summary.</summary>
        public string Summary { get; init; } = string.Empty;

        /// <summary>Why the image itself could not be updated (its registry check or pull failed); null otherwise.</summary>
        public string? Error { get; init; }

        /// <summary>The ErrorId of <see cref="Error"/> (e.g. RegistryUnreachable, ImagePullFailed).</summary>
        public string? ErrorId { get; init; }

        /// <summary>The first server that failed or rolled back; null when none did.</summary>
        public ServerUpdateResult? FirstFailure => Servers.FirstOrDefault(s => !s.Succeeded);

        /// <summary>The failure as the exception a caller throws; null when the update succeeded.</summary>
        public ArkManagerException? ToException()
        {
            if (Succeeded)
            {
                return null;
            }

            if (Error != null)
            {
                return new ImageUpdateException(Image, ErrorId ?? "ImageUpdateFailed", $"Updating image '{Image}' failed: {Error}");
            }

            return (ArkManagerException?)FirstFailure?.ToException($"Updating image '{Image}'") ?? new ImageUpdateException(Image, "ImageUpdateFailed", "Updating image '" + Image + "' did not succeed: " + Summary);
        }
    }
}
