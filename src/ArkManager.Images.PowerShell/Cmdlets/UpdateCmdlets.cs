using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Recreates ARK servers on the newest local image of their reference (or another image), keeping their configuration and volumes; rolls back when the new container fails.</para>
    /// </summary>
    [Cmdlet(VerbsData.Update, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerUpdateResult))]
    public sealed class UpdateArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Switch the servers to this image reference (it must be present locally). Default: the server's own reference.</summary>
        [Parameter]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        public string? Image { get; set; }

        /// <summary>Back up every volume of the stopped old container before the new one starts.</summary>
        [Parameter]
        public SwitchParameter BackupVolumes { get; set; }

        /// <summary>Where the backups go. Default: &lt;state directory&gt;/backups/&lt;server&gt;.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BackupDirectory { get; set; }

        /// <summary>How long the new container has to prove healthy before it is rolled back. Default: 10 minutes.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? HealthTimeout { get; set; }

        /// <summary>Recreate even when the server already runs the target image.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>How long to wait for another run that is changing the same server. Default: 0 (fail at once with ServerLocked).</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? LockTimeout { get; set; }

        /// <summary>Only touch servers of this owner.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (Image != null && !ValidateReference(Image))
            {
                return;
            }

            var defaults = new RecreateOptions();
            var options = new RecreateOptions
            {
                Image = Image,
                BackupVolumes = BackupVolumes.IsPresent,
                BackupDirectory = BackupDirectory is null ? null : ResolvePath(BackupDirectory),
                HealthTimeout = HealthTimeout ?? defaults.HealthTimeout,
                Force = Force.IsPresent,
                LockTimeout = LockTimeout ?? defaults.LockTimeout,
                Owner = Owner,
            };

            foreach (var name in Name)
            {
                var action = (Image is null ? "Recreate on the newest local image of its reference" : $"Recreate on the image '{Image}'") +
                             (BackupVolumes.IsPresent ? ", backing up its volumes first" : string.Empty);
                if (!ShouldProcess(name, action))
                {
                    continue;
                }

                var failure = InvokeWithProgress("Updating server " + name, Image, (m, p, ct) => m.RecreateContainerAsync(name, options, p, ct), out var result);
                if (failure is ServerUpdateException updateFailure)
                {
                    WriteObject(updateFailure.Result);
                    ThrowUpdateFailure(updateFailure.Result, updateFailure);
                }

                if (failure != null)
                {
                    HandleError(failure, name);
                    continue;
                }

                WriteObject(result);
                if (!IsSuccess(result.Outcome))
                {
                    ThrowUpdateFailure(result, new ServerUpdateException(DescribeFailure($"Recreating server '{name}'", result), result));
                }
            }
        }
    }

    /// <summary>
    /// <para type="synopsis">Updates images: pulls the newer image (because you ask) and recreates every server that runs it, one at a time, rolling back a server whose new container fails.</para>
    /// </summary>
    [Cmdlet(VerbsData.Update, "ArkImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ImageUpdateResult), typeof(UpdatePlanItem))]
    public sealed class UpdateArkImageCommand : ArkCmdlet
    {
        /// <summary>The image references. Default: every required image of the configuration.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        public string[]? Image { get; set; }

        /// <summary>Only pull; do not recreate the servers.</summary>
        [Parameter]
        public SwitchParameter NoRecreate { get; set; }

        /// <summary>Back up the volumes of each server before its new container starts.</summary>
        [Parameter]
        public SwitchParameter BackupVolumes { get; set; }

        /// <summary>Where the backups go. Default: &lt;state directory&gt;/backups/&lt;server&gt;.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BackupDirectory { get; set; }

        /// <summary>How long each new container has to prove healthy before it is rolled back. Default: 10 minutes.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? HealthTimeout { get; set; }

        /// <summary>Pull and recreate even when the registry reports no update.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Only these servers. Default: every server that runs the image.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Server { get; set; }

        /// <summary>Only the servers of this owner.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <summary>How long to wait for another run that is changing a server. Default: 0 (fail at once).</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? LockTimeout { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var images = Image ?? Options.RequiredImages.ToArray();
            if (images.Length == 0)
            {
                WriteError(ErrorRecords.Create(
                    "NoImage",
                    ErrorCategory.InvalidArgument,
                    null,
                    new ArgumentException("No -Image was given and the configuration names no required images."),
                    "Update-ArkImage -Image '<repository>:<tag>'"));
                return;
            }

            var defaults = new UpdateOptions();
            var options = new UpdateOptions
            {
                Recreate = !NoRecreate.IsPresent,
                Servers = Server,
                BackupVolumes = BackupVolumes.IsPresent,
                BackupDirectory = BackupDirectory is null ? null : ResolvePath(BackupDirectory),
                HealthTimeout = HealthTimeout ?? defaults.HealthTimeout,
                Force = Force.IsPresent,
                LockTimeout = LockTimeout ?? defaults.LockTimeout,
                Owner = Owner,
            };

            foreach (var image in images)
            {
                if (!ValidateReference(image))
                {
                    continue;
                }

                var description = string.Format(
                    CultureInfo.InvariantCulture,
                    "Update image '{0}': {1}{2}{3}.",
                    image,
                    Force.IsPresent ? "pull it" : "pull it if the registry has a newer image",
                    NoRecreate.IsPresent ? " (servers are not recreated)" : ", then recreate the servers that run it, one at a time",
                    Scope());
                if (!ShouldProcess(description, description + " Continue?", "Update-ArkImage", out var reason))
                {
                    if (reason == ShouldProcessReason.WhatIf && TryInvoke((m, ct) => m.PlanUpdateAsync(image, options, ct), image, out var plan))
                    {
                        // -WhatIf: the plan, as objects (the registry is asked; nothing is pulled or changed).
                        WriteObject(plan, enumerateCollection: true);
                    }

                    continue;
                }

                var failure = InvokeWithProgress("Updating image " + image, image, (m, p, ct) => m.UpdateImageAsync(image, options, p, ct), out var result);
                if (failure is ServerUpdateException updateFailure)
                {
                    var partial = new ImageUpdateResult
                    {
                        Image = image,
                        Servers = new[] { updateFailure.Result },
                        Succeeded = false,
                        Summary = updateFailure.Message,
                    };
                    WriteObject(partial);
                    ThrowUpdateFailure(partial, updateFailure);
                }

                if (failure != null)
                {
                    HandleError(failure, image);
                    continue;
                }

                WriteObject(result);
                if (result.Succeeded)
                {
                    if (!string.IsNullOrEmpty(result.Summary))
                    {
                        WriteVerbose(result.Summary);
                    }

                    continue;
                }

                var failed = result.Servers.FirstOrDefault(s => s.Outcome == UpdateOutcome.Failed)
                    ?? result.Servers.FirstOrDefault(s => s.Outcome == UpdateOutcome.RolledBack)
                    ?? new ServerUpdateResult { Image = image, Outcome = UpdateOutcome.Failed, Error = result.Summary };
                var skipped = result.Servers.Where(s => s.Outcome == UpdateOutcome.Skipped && !string.IsNullOrEmpty(s.Error)).Select(s => s.Server).ToList();
                var message = string.IsNullOrEmpty(failed.Server)
                    ? $"Updating image '{image}' failed: {result.Summary}"
                    : DescribeFailure($"Updating image '{image}'", failed) +
                      (skipped.Count == 0 ? string.Empty : " Not attempted after it: " + string.Join(", ", skipped) + ".");
                ThrowUpdateFailure(result, new ServerUpdateException(message, failed));
            }
        }

        private string Scope()
        {
            var parts = new List<string>();
            if (Server != null)
            {
                parts.Add("servers " + string.Join(", ", Server));
            }

            if (Owner != null)
            {
                parts.Add("owner " + Owner);
            }

            if (BackupVolumes.IsPresent)
            {
                parts.Add("backing up volumes first");
            }

            return parts.Count == 0 ? string.Empty : " (" + string.Join("; ", parts) + ")";
        }
    }

    /// <summary>
    /// <para type="synopsis">Rolls servers back to the image they ran before their last successful update.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Undo, "ArkImageUpdate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ServerUpdateResult))]
    public sealed class UndoArkImageUpdateCommand : ArkCmdlet
    {
        /// <summary>The server names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>How long the recreated container has to prove healthy. Default: 10 minutes.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? HealthTimeout { get; set; }

        /// <summary>How long to wait for another run that is changing the same server. Default: 0 (fail at once).</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? LockTimeout { get; set; }

        /// <summary>Only touch servers of this owner.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var defaults = new RecreateOptions();
            var options = new RecreateOptions
            {
                HealthTimeout = HealthTimeout ?? defaults.HealthTimeout,
                LockTimeout = LockTimeout ?? defaults.LockTimeout,
                Owner = Owner,
            };

            foreach (var name in Name)
            {
                if (!ShouldProcess(name, "Recreate on the image it ran before its last update"))
                {
                    continue;
                }

                var failure = InvokeWithProgress("Rolling back server " + name, null, (m, p, ct) => m.RollbackAsync(name, options, p, ct), out var result);
                if (failure is ServerUpdateException updateFailure)
                {
                    WriteObject(updateFailure.Result);
                    ThrowUpdateFailure(updateFailure.Result, updateFailure);
                }

                if (failure != null)
                {
                    HandleError(failure, name);
                    continue;
                }

                WriteObject(result);
                if (!IsSuccess(result.Outcome))
                {
                    ThrowUpdateFailure(result, new ServerUpdateException(DescribeFailure($"Rolling back server '{name}' to its previous image", result), result));
                }
            }
        }
    }

    /// <summary>
    /// <para type="synopsis">Shows the update history: every update, recreate and rollback of a server, with its outcome and steps.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ArkUpdateHistory")]
    [OutputType(typeof(UpdateHistoryRecord))]
    public sealed class GetArkUpdateHistoryCommand : ArkCmdlet
    {
        /// <summary>Only this server.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>Only this image reference.</summary>
        [Parameter]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        public string? Image { get; set; }

        /// <summary>Only the records that started at or after this time.</summary>
        [Parameter]
        public DateTime? Since { get; set; }

        /// <summary>Only the newest N records.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Last { get; set; }

        /// <summary>Only the servers of this owner.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (Image != null && !ValidateReference(Image))
            {
                return;
            }

            var filter = new UpdateHistoryFilter
            {
                Server = Name,
                Image = Image,
                Since = Since is DateTime since ? new DateTimeOffset(since) : (DateTimeOffset?)null,
                Last = Last,
                Owner = Owner,
            };
            if (TryInvoke((m, ct) => m.GetUpdateHistoryAsync(filter, ct), (object?)Name ?? Image, out var records))
            {
                WriteObject(records, enumerateCollection: true);
            }
        }
    }

    /// <summary>
    /// <para type="synopsis">Removes older images of an image's repository, keeping the newest ones, every image a container uses and every rollback target.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "ArkImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ImageCleanupResult))]
    public sealed class RemoveArkImageCommand : ArkCmdlet
    {
        /// <summary>An image reference; the older images of its repository are removed.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        public string Image { get; set; } = string.Empty;

        /// <summary>How many of the newest images to keep (besides those in use and the rollback targets). Default: 1.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int KeepLatest { get; set; } = 1;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (!ValidateReference(Image))
            {
                return;
            }

            var repository = ImageReference.Parse(Image).FamiliarRepository;
            var action = string.Format(
                CultureInfo.InvariantCulture,
                "Remove the local images of the repository '{0}' except the newest {1}, every image a container uses and every rollback target (volumes and containers are not touched)",
                repository,
                KeepLatest);
            if (ShouldProcess(Image, action) && TryInvoke((m, ct) => m.RemoveOldImagesAsync(Image, KeepLatest, ct), Image, out var result))
            {
                WriteObject(result);
            }
        }
    }
}
