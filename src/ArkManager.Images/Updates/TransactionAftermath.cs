using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// What a finished transaction leaves for the next run: a target that failed its health gate is quarantined (see
    /// <see cref="UpdateJudge.QuarantineFor"/>), one that passed is released, and after a rollback the image the server
    /// runs again keeps a tag of its repository (<c>&lt;repo&gt;:ark-rollback-&lt;server&gt;</c>) so it never shows
    /// <c>&lt;none&gt;</c> and image cleanup keeps it. A failure here is logged; it never changes the result.
    /// </summary>
    internal sealed class TransactionAftermath
    {
        private readonly QuarantineStore _quarantine;
        private readonly IImageOperations _images;
        private readonly ILogger _logger;

        public TransactionAftermath(QuarantineStore quarantine, IImageOperations images, ILogger logger)
        {
            _quarantine = quarantine;
            _images = images;
            _logger = logger;
        }

        /// <summary>After a transaction ended without its target: quarantines the target when the judge says so.</summary>
        public async Task AfterFailureAsync(JournalEntry entry, Exception error, UpdateOutcome outcome)
        {
            if (UpdateJudge.QuarantineFor(entry, error, outcome, DateTimeOffset.UtcNow) is { } quarantined)
            {
                try
                {
                    await _quarantine.AddAsync(quarantined, CancellationToken.None).ConfigureAwait(false);
                    UpdateLog.Quarantined(_logger, entry.Server, entry.Image, quarantined.Digest ?? quarantined.ImageId);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArkManagerException)
                {
                    UpdateLog.RecreateWarning(_logger, entry.Server, "could not quarantine the image that failed its health gate: " + ex.Message);
                }
            }
        }

        /// <summary>After an update reached its target: a quarantine of that target (an update forced past it) is lifted.</summary>
        public async Task AfterSuccessAsync(JournalEntry entry)
        {
            if (entry.Kind != "Update")
            {
                return;
            }

            try
            {
                if (await _quarantine.ClearAsync(entry.Image, entry.TargetDigest, entry.TargetImageId, CancellationToken.None).ConfigureAwait(false))
                {
                    UpdateLog.QuarantineLifted(_logger, entry.Server, entry.Image, entry.TargetDigest ?? entry.TargetImageId);
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArkManagerException)
            {
                UpdateLog.RecreateWarning(_logger, entry.Server, "could not lift the quarantine of the image it now runs: " + ex.Message);
            }
        }

        /// <summary>After an undo: the image the server runs again gets the rollback tag when no tag of its repository names it.</summary>
        public async Task KeepTaggedAsync(JournalEntry entry)
        {
            if (string.IsNullOrEmpty(entry.OldImageId) || !ImageReference.TryParse(entry.Image, out var reference, out _))
            {
                return;
            }

            var repository = reference!.FamiliarRepository;
            var tag = ServerLabels.RollbackTagPrefix + entry.Server;
            try
            {
                var image = await _images.TryInspectAsync(entry.OldImageId, CancellationToken.None).ConfigureAwait(false);
                if (image is null || tag.Length > 128 || image.RepoTags.Any(t => t.StartsWith(repository + ":", StringComparison.Ordinal)))
                {
                    return;
                }

                await _images.TagAsync(entry.OldImageId, repository, tag, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ArkManagerException ex)
            {
                UpdateLog.RecreateWarning(_logger, entry.Server, "could not tag the image it runs again: " + ex.Message);
            }
        }
    }

    internal static partial class UpdateLog
    {
        [LoggerMessage(EventId = 320, Level = LogLevel.Warning, Message = "Server {Server}: {Image} ({Digest}) failed its health gate and is quarantined: later updates skip it until the registry offers another digest or -Force is given")]
        public static partial void Quarantined(ILogger logger, string server, string image, string digest);

        [LoggerMessage(EventId = 321, Level = LogLevel.Information, Message = "Server {Server}: {Image} ({Digest}) passed its health gate; its quarantine is lifted")]
        public static partial void QuarantineLifted(ILogger logger, string server, string image, string digest);
    }
}
