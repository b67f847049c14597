using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ArkManager.Images.Updates
{
    /// <summary>What the update learned about one image before any server was touched.</summary>
    internal sealed record ImagePhase(ImageReference Reference, ImageUpdateCheck? Check, ImageInfo? Before, ImageInfo? After, bool Pulled, IReadOnlyList<UpdatePlanItem> Plan)
    {
        /// <summary>Why the image cannot be updated (check or pull failed); null when it can.</summary>
        public string? Error { get; init; }

        public string? ErrorId { get; init; }
    }

    /// <summary>
    /// The one place that decides how an update went: which registry answers block an image, which server outcomes
    /// count as failures, and the results and summaries callers (and the cmdlets) show as they are.
    /// </summary>
    internal static class UpdateJudge
    {
        /// <summary>The ErrorId and message of a registry check that did not answer; null when it did.</summary>
        public static (string ErrorId, string Message)? CheckFailure(ImageUpdateCheck check) => check.State switch
        {
            ImageUpdateState.RegistryUnreachable => ("RegistryUnreachable", Describe(check, "the registry could not be reached")),
            ImageUpdateState.AuthenticationFailed => ("RegistryAuthenticationFailed", Describe(check, "the registry refused the credentials")),
            ImageUpdateState.NotFoundInRegistry => ("ImageNotFoundInRegistry", Describe(check, "the registry does not know this tag")),
            ImageUpdateState.RateLimited => ("RegistryRateLimited", Describe(check, "the registry refused the check with a rate limit")),
            ImageUpdateState.Error => ("RegistryCheckFailed", Describe(check, "the registry check failed")),
            _ => null,
        };

        /// <summary>The result for one image from its phase and the results of the servers that ran.</summary>
        public static ImageUpdateResult Judge(ImagePhase phase, IReadOnlyDictionary<string, ServerUpdateResult> ran, string? owner)
        {
            var servers = phase.Plan.Select(item => item.Status == UpdatePlanStatus.Recreate && ran.TryGetValue(item.Server, out var result)
                    ? result
                    : new ServerUpdateResult
                    {
                        Server = item.Server,
                        Image = item.Image,
                        Outcome = item.Status == UpdatePlanStatus.AlreadyCurrent ? UpdateOutcome.AlreadyCurrent : UpdateOutcome.Skipped,
                        Error = item.Status == UpdatePlanStatus.AlreadyCurrent ? null : item.Reason,
                        OldDigest = item.CurrentDigest,
                        NewDigest = phase.After?.Digest,
                        NewImageId = phase.After?.Id ?? string.Empty,
                    })
                .ToList();
            var who = owner is null ? "no server" : $"no server of owner {owner}";
            var summary = phase.Error != null
                ? $"{phase.Reference}: not updated: {phase.Error}"
                : $"{phase.Reference}: {(phase.Pulled ? "pulled" : "not pulled")}; " +
                  (servers.Count == 0 ? who + " uses it" : string.Join(", ", servers.Select(r => $"{r.Server} {r.Outcome}")));
            return new ImageUpdateResult
            {
                Image = phase.Reference.ToString(),
                Check = phase.Check,
                Pulled = phase.Pulled,
                OldImageId = phase.Before?.Id,
                NewImageId = phase.After?.Id,
                Servers = servers,
                Error = phase.Error,
                ErrorId = phase.ErrorId,
                Succeeded = phase.Error is null && servers.All(s => s.Succeeded),
                Summary = summary,
            };
        }

        public static BatchUpdateResult Batch(IReadOnlyList<ImageUpdateResult> images) => new BatchUpdateResult
        {
            Images = images,
            Servers = images.SelectMany(i => i.Servers).ToList(),
            Succeeded = images.All(i => i.Succeeded),
            Summary = string.Join("; ", images.Select(i => i.Summary)),
        };

        /// <summary>A server whose transaction could not even start (locked, vanished, a container in the way): nothing of it changed.</summary>
        public static ServerUpdateResult NotStarted(UpdatePlanItem item, ImagePhase phase, string why, UpdateOutcome outcome = UpdateOutcome.Failed) => new ServerUpdateResult
        {
            Server = item.Server,
            Image = item.Image,
            Outcome = outcome,
            Error = why,
            OldDigest = item.CurrentDigest,
            NewDigest = phase.After?.Digest,
            NewImageId = phase.After?.Id ?? string.Empty,
        };

        /// <summary>
        /// The quarantine a failed transaction earns: only an update (not a recreate or rollback) that rolled back because
        /// its target failed the health gate; null otherwise.
        /// </summary>
        public static QuarantineEntry? QuarantineFor(JournalEntry entry, Exception error, UpdateOutcome outcome, DateTimeOffset now)
        {
            if (entry.Kind != "Update" || outcome != UpdateOutcome.RolledBack || !(error is HealthGateFailedException) || string.IsNullOrEmpty(entry.TargetImageId))
            {
                return null;
            }

            const string lead = "health gate failed: ";
            var reason = error.Message.StartsWith(lead, StringComparison.Ordinal) ? error.Message.Substring(lead.Length) : error.Message;
            return new QuarantineEntry
            {
                Image = entry.Image,
                Digest = entry.TargetDigest,
                ImageId = entry.TargetImageId,
                Since = now,
                Reason = reason.Trim(),
                Server = entry.Server,
            };
        }

        /// <summary>The quarantine entry that holds back the target (<paramref name="digest"/>, or <paramref name="imageId"/> when known); null when none.</summary>
        public static QuarantineEntry? QuarantineOf(IReadOnlyList<QuarantineEntry> entries, string? digest, string? imageId) =>
            entries.LastOrDefault(e => e.Matches(digest, imageId));

        /// <summary>Why a server is left on its image: the plan's Reason and the Skipped result's Error.</summary>
        public static string QuarantineReason(QuarantineEntry entry, bool forced = false) =>
            $"quarantined since {entry.Since.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)} (health gate: {entry.Reason.TrimEnd('.')}); " +
            (forced ? "recreated anyway (-Force); the quarantine is lifted when it passes" : "the registry must offer another digest, or pass -Force");

        private static string Describe(ImageUpdateCheck check, string what) =>
            what + (string.IsNullOrEmpty(check.Error) ? string.Empty : ": " + check.Error) + " (nothing was pulled and no server was touched; retry when the registry answers, or recreate on the local image with -Offline)";
    }
}
