using System;
using System.Collections.Generic;

namespace ArkManager.Images.Docker
{
    /// <summary>What the library needs to know of one local image (from an inspect or a list).</summary>
    internal sealed record ImageDetails
    {
        public string Id { get; init; } = string.Empty;

        public IReadOnlyList<string> RepoTags { get; init; } = Array.Empty<string>();

        public IReadOnlyList<string> RepoDigests { get; init; } = Array.Empty<string>();

        public DateTimeOffset Created { get; init; }

        public long Size { get; init; }

        public string Os { get; init; } = string.Empty;

        public string Architecture { get; init; } = string.Empty;

        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>One line of a container list.</summary>
    internal sealed record ContainerSummary
    {
        public string Id { get; init; } = string.Empty;

        /// <summary>The first name, without the slash.</summary>
        public string Name { get; init; } = string.Empty;

        public string ImageId { get; init; } = string.Empty;

        /// <summary>Docker's state word (running, exited, …).</summary>
        public string State { get; init; } = string.Empty;

        /// <summary>Docker's status text ("Up 3 minutes").</summary>
        public string Status { get; init; } = string.Empty;

        public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>One message of a pull's progress stream.</summary>
    internal readonly struct PullMessage
    {
        public PullMessage(string? id, string? status, long? current, long? total, string? error)
        {
            Id = id;
            Status = status;
            Current = current;
            Total = total;
            Error = error;
        }

        public string? Id { get; }

        public string? Status { get; }

        public long? Current { get; }

        public long? Total { get; }

        public string? Error { get; }
    }
}
