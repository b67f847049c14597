using System;
using System.Collections.Generic;
using System.Linq;

namespace ArkManager.Images
{
    /// <summary>One record of the update history (one server, one update, rollback or recreate).</summary>
    public sealed record UpdateHistoryRecord
    {
        /// <summary>The configured host of the server (from where the record is kept); null with a single engine.</summary>
        public string? Host { get; init; }

        // ToString shows list properties as their values, not their type name (see RecordText).
        private bool PrintMembers(System.Text.StringBuilder builder) => RecordText.PrintMembers(this, builder);

        /// <summary>Unique id.</summary>
        public string Id { get; init; } = string.Empty;

        /// <summary>Update, Recreate, Rollback or Recovery.</summary>
        public string Kind { get; init; } = string.Empty;

        /// <summary>The server.</summary>
        public string Server { get; init; } = string.Empty;

        /// <summary>The server's owner, when set.</summary>
        public string? Owner { get; init; }

        /// <summary>The image reference.</summary>
        public string Image { get; init; } = string.Empty;

        /// <summary>The image id before.</summary>
        public string OldImageId { get; init; } = string.Empty;

        /// <summary>The image id after (or targeted).</summary>
        public string NewImageId { get; init; } = string.Empty;

        /// <summary>The repository digest before.</summary>
        public string? OldDigest { get; init; }

        /// <summary>The repository digest after (or targeted).</summary>
        public string? NewDigest { get; init; }

        /// <summary>The container before.</summary>
        public string OldContainerId { get; init; } = string.Empty;

        /// <summary>The container after.</summary>
        public string NewContainerId { get; init; } = string.Empty;

        /// <summary>How it ended.</summary>
        public UpdateOutcome Outcome { get; init; }

        /// <summary>Why it failed or rolled back.</summary>
        public string? Error { get; init; }

        /// <summary>When it started.</summary>
        public DateTimeOffset StartedAt { get; init; }

        /// <summary>When it ended.</summary>
        public DateTimeOffset FinishedAt { get; init; }

        /// <summary>The steps with timings.</summary>
        public IReadOnlyList<StepRecord> Steps { get; init; } = Array.Empty<StepRecord>();

        /// <summary>The backup archive, when one was made.</summary>
        public string? BackupPath { get; init; }
    }

    /// <summary>Which history records to return.</summary>
    public sealed record UpdateHistoryFilter
    {
        /// <summary>Only this server.</summary>
        public string? Server { get; init; }

        /// <summary>Only this image reference.</summary>
        public string? Image { get; init; }

        /// <summary>Only records that started at or after this time.</summary>
        public DateTimeOffset? Since { get; init; }

        /// <summary>Only the newest N records.</summary>
        public int? Last { get; init; }

        /// <summary>Only this owner's servers.</summary>
        public string? Owner { get; init; }
    }
}
