using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Recreates ARK servers on the newest local image of their reference (or on another local image), keeping
    /// their configuration and volumes; rolls back a server whose new container fails.</summary>
    /// <remarks>
    /// <para>For each server, one transaction: the container's configuration is saved; the replacement is created under
    /// a temporary name; the old container is stopped with its stop timeout and stop signal, so that the world save
    /// completes; with -BackupVolumes its volumes are archived; the names are swapped and the replacement is started;
    /// then it has -HealthTimeout to prove healthy (its healthcheck, a readiness line in its log such as 'advertising
    /// for join', or running without restarting). Only then is the old container removed; volumes never are. When the
    /// replacement fails, it is removed and the old container gets its name back and runs again.</para>
    /// <para>Nothing is pulled: the target image must be present locally (Install-ArkImage pulls it; Update-ArkImage
    /// pulls and recreates in one step). A server that already runs the target image is left alone (outcome
    /// AlreadyCurrent) unless -Force is given. Every recreate is recorded in the update history (Get-ArkUpdateHistory),
    /// and the previous image is kept for Undo-ArkImageUpdate.</para>
    /// <para>Two runs never change one server at the same time: a server another run is changing is a non-terminating
    /// ServerLocked error (category ResourceBusy), unless -LockTimeout lets this command wait for it.</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <input type="ArkManager.Images.ServerInfo">Objects with a Name or Server property: ServerInfo, AffectedServer
    /// (Get-ArkServer -Image), ServerUpdateResult.</input>
    /// <output type="ArkManager.Images.ServerUpdateResult">One per server: the outcome (Updated, AlreadyCurrent,
    /// RolledBack, Failed), the containers and images before and after, the steps with their timings, the backup and
    /// the history record id.</output>
    /// <note>Made for scheduled tasks: -Confirm:$false never prompts. An update that did not leave its server(s) on the
    /// new image is a terminating error with the ErrorId UpdateRolledBack (the server runs its previous container
    /// again) or UpdateFailed (the rollback itself failed: check the server), category InvalidResult; the result object
    /// is written to the pipeline first and is also the error's TargetObject, and $_.Exception.Result is the failing
    /// server's ServerUpdateResult. Catch it with try/catch; in a script run by pwsh -File, set $ErrorActionPreference
    /// = 'Stop' (or catch it and exit 1) so that a failed update makes pwsh exit with 1.</note>
    /// <note>The servers after a server that rolled back or failed are not recreated. Other errors: ServerNotFound
    /// (ObjectNotFound), ServerLocked (ResourceBusy), ImageMissing (ObjectNotFound: the target image is not present
    /// locally).</note>
    /// <parameter name="WhatIf">Shows which servers would be recreated, without doing it. Nothing is contacted or
    /// changed.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Update-ArkServer -Name island -HealthTimeout 00:15:00</code>
    /// <para>Recreates the server island on the newest local image of its reference; the new container has 15 minutes
    /// to report that it is advertising for join before it is rolled back.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer -Image 'tbro98/ase-server:latest' | Where-Object { -not $_.OnNewestImage } | Update-ArkServer -BackupVolumes -Confirm:$false</code>
    /// <para>Recreates, without asking, every server that does not run the newest local image of the tag yet, backing
    /// up the volumes of each first.</para>
    /// </example>
    /// <example>
    /// <code>Update-ArkServer -Name island -Image 'tbro98/ase-server:v2' -WhatIf</code>
    /// <para>Shows that island would be recreated on tbro98/ase-server:v2; changes nothing.</para>
    /// </example>
    /// <example>
    /// <code>try { Update-ArkServer -Name island -Force -Confirm:$false -ErrorAction Stop } catch { $_.TargetObject.Steps | Format-Table }</code>
    /// <para>Recreates island even though it runs the newest image; when the new container fails (and the old one runs
    /// again), shows the steps of the transaction.</para>
    /// </example>
    /// <seealso cref="UpdateArkImageCommand"/>
    /// <seealso cref="UndoArkImageUpdateCommand"/>
    /// <seealso cref="GetArkUpdateHistoryCommand"/>
    /// <seealso cref="InstallArkImageCommand"/>
    [Cmdlet(VerbsData.Update, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerUpdateResult))]
    public sealed class UpdateArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names. Accepts strings and objects with a Name or Server property (ServerInfo,
        /// AffectedServer, ServerUpdateResult).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Recreates the servers on this image reference instead of their own (it must be present locally),
        /// e.g. to move a server from tbro98/ase-server:latest to tbro98/ase-server:v2. The server keeps the new
        /// reference afterwards.</summary>
        [Parameter]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string? Image { get; set; }

        /// <summary>Archives every volume of the stopped old container before the replacement starts (see
        /// Backup-ArkServer). The archive is named in the BackupPath property of the result.</summary>
        [Parameter]
        public SwitchParameter BackupVolumes { get; set; }

        /// <summary>Where -BackupVolumes writes its archives. Relative paths are relative to the current PowerShell
        /// location. Default: &lt;stateDirectory&gt;/backups/&lt;server&gt;.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BackupDirectory { get; set; }

        /// <summary>How long the new container has to prove healthy before it is rolled back: a number of seconds (600)
        /// or a TimeSpan ('00:10:00', (New-TimeSpan -Minutes 10)). Default: 10 minutes.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? HealthTimeout { get; set; }

        /// <summary>Recreates the server even when it already runs the target image.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>How long to wait for another run (another PowerShell, a scheduled task) that is changing the same
        /// server: a number of seconds (600) or a TimeSpan ('00:10:00', (New-TimeSpan -Minutes 10)). Default: 0, which
        /// fails at once with ServerLocked.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? LockTimeout { get; set; }

        /// <summary>Only touches servers of this owner: a server of another owner is reported as
        /// ServerNotFound.</summary>
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

    /// <summary>Updates images: pulls the newer image because you ask, then recreates every server that runs it, one at
    /// a time, rolling back a server whose new container fails.</summary>
    /// <remarks>
    /// <para>For each image (default: the required images of the configuration) the registry is asked whether it has a
    /// newer image (one manifest request). If it has, or with -Force, the image is pulled, and each affected server
    /// (Get-ArkServer -Image lists them) is recreated on it through the transaction of Update-ArkServer: stop with the
    /// server's stop timeout, optional volume backup, start, health gate, automatic rollback when the new container
    /// fails. Each server's update is recorded in the update history (Get-ArkUpdateHistory). When the registry cannot
    /// be reached, a newer image already present locally is still used. With -NoRecreate the image is only
    /// pulled.</para>
    /// <para>-WhatIf changes nothing and outputs the plan instead: one UpdatePlanItem per affected server with the
    /// digest it runs, the digest it would run and the steps that would run. The registry and the Docker daemon are
    /// asked; nothing is pulled or changed.</para>
    /// <para>Progress: one record for the image with the current phase (Check, Pull, Plan, Server, ...); during the
    /// pull a child record for the image with one record per layer under it, as Install-ArkImage shows them; one child
    /// record per server with the current step of its transaction. All of them are completed at the end.</para>
    /// <para>With -All every required image of the configuration is updated in one rolling run: each image is checked
    /// and pulled once, then the affected servers are replaced -MaxParallel at a time (the servers of one cluster one
    /// after another). The run stops at the first server that fails unless -ContinueOnError is given. It outputs one
    /// BatchUpdateResult; when Succeeded is false the result is written first and the command ends with the terminating
    /// error UpdateRolledBack or UpdateFailed whose TargetObject is that result.</para>
    /// <para>-WarningMinutes, -NoWarning and -MessageCommand set how each server with RCON is stopped (see
    /// Stop-ArkServer): countdown warnings to the players, a confirmed world save, DoExit.</para>
    /// <para>Pipeline input by property name Image, so that Test-ArkImageUpdate | Where-Object UpdateAvailable |
    /// Update-ArkImage updates what has an update.</para>
    /// </remarks>
    /// <input type="ArkManager.Images.ImageUpdateCheck">Objects with an Image or Reference property, e.g. from
    /// Test-ArkImageUpdate or Get-ArkImageStatus.</input>
    /// <output type="ArkManager.Images.ImageUpdateResult">One per image: the registry check, whether it was pulled, the
    /// image ids before and after, one ServerUpdateResult per server, Succeeded and a summary.</output>
    /// <output type="ArkManager.Images.UpdatePlanItem">With -WhatIf: one per affected server.</output>
    /// <output type="ArkManager.Images.BatchUpdateResult">With -All: the whole run, with one ImageUpdateResult per
    /// image, one ServerUpdateResult per server, Succeeded and a summary.</output>
    /// <note>Made for scheduled tasks: -Confirm:$false never prompts. An update that did not leave its server(s) on the
    /// new image is a terminating error with the ErrorId UpdateRolledBack (the server runs its previous container
    /// again) or UpdateFailed (the rollback itself failed: check the server), category InvalidResult; the result object
    /// is written to the pipeline first and is also the error's TargetObject, and $_.Exception.Result is the failing
    /// server's ServerUpdateResult. Catch it with try/catch; in a script run by pwsh -File, set $ErrorActionPreference
    /// = 'Stop' (or catch it and exit 1) so that a failed update makes pwsh exit with 1.</note>
    /// <note>The images after an image whose update failed are not updated. Other errors are non-terminating, per
    /// image: RegistryError, RegistryUnreachable, ImagePullFailed, ServerLocked (ResourceBusy),
    /// InvalidImageReference.</note>
    /// <parameter name="WhatIf">Outputs the plan (UpdatePlanItem objects) instead of updating: the registry and the
    /// daemon are asked, nothing is pulled, created, stopped or removed.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Update-ArkImage -Image 'tbro98/ase-server:latest'</code>
    /// <para>Pulls the newer image of the tag, if the registry has one, and recreates the servers that run it, showing
    /// the progress of the pull and of each server.</para>
    /// </example>
    /// <example>
    /// <code>Test-ArkImageUpdate | Where-Object UpdateAvailable | Update-ArkImage -BackupVolumes</code>
    /// <para>Updates every required image for which the registry has a newer image, backing up the volumes of each
    /// server first.</para>
    /// </example>
    /// <example>
    /// <code>Update-ArkImage -Image 'tbro98/ase-server:latest' -WhatIf | Format-Table Server, CurrentDigest, TargetDigest, Steps</code>
    /// <para>Shows which servers would be recreated, from which digest to which, and the steps; changes nothing.</para>
    /// </example>
    /// <example>
    /// <code>
    /// $ErrorActionPreference = 'Stop'
    /// Import-Module ArkManager.Images
    /// Update-ArkImage -Confirm:$false -HealthTimeout 00:15:00
    /// </code>
    /// <para>A scheduled task's script (pwsh -NoProfile -File update.ps1): updates the required images without asking;
    /// when a server had to be rolled back, the error ends the script and pwsh exits with 1.</para>
    /// </example>
    /// <example>
    /// <code>
    /// try {
    ///     $result = Update-ArkImage -Image 'tbro98/ase-server:latest' -Confirm:$false
    /// } catch {
    ///     $failed = $_.TargetObject
    ///     $failed.Servers | Where-Object Outcome -ne 'Updated' | Format-Table Server, Outcome, Error
    /// }
    /// </code>
    /// <para>Catches a failed update and shows which servers were rolled back and why.</para>
    /// </example>
    /// <example>
    /// <code>Update-ArkImage -Image 'tbro98/ase-server:latest' -Owner alice -Server alice-island -Confirm:$false</code>
    /// <para>Updates only the server alice-island of the owner alice; the other servers on the image keep their
    /// image.</para>
    /// </example>
    /// <example>
    /// <code>
    /// $ErrorActionPreference = 'Stop'
    /// Update-ArkImage -All -MaxParallel 2 -WarningMinutes 10, 5, 1 -Confirm:$false
    /// </code>
    /// <para>The recipe for a scheduled task's script (pwsh -NoProfile -File update.ps1): updates every required image
    /// in one rolling run, two servers at a time (a cluster's servers one after another), warning the players 10, 5
    /// and 1 minutes before each server stops. The first line is required: pwsh -File exits with 0 after a failed
    /// command unless the error ends the script, so without it a rolled-back server would not make the task
    /// fail.</para>
    /// </example>
    /// <example>
    /// <code>Update-ArkImage -All -WhatIf</code>
    /// <para>Shows the plan for every required image (one UpdatePlanItem per affected server); changes nothing.</para>
    /// </example>
    /// <seealso cref="TestArkImageUpdateCommand"/>
    /// <seealso cref="UpdateArkServerCommand"/>
    /// <seealso cref="UndoArkImageUpdateCommand"/>
    /// <seealso cref="GetArkUpdateHistoryCommand"/>
    /// <seealso cref="GetArkServerCommand"/>
    /// <seealso cref="RemoveArkImageCommand"/>
    [Cmdlet(VerbsData.Update, "ArkImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ImageSet)]
    [OutputType(typeof(ImageUpdateResult), typeof(UpdatePlanItem), ParameterSetName = new[] { ImageSet })]
    [OutputType(typeof(BatchUpdateResult), typeof(UpdatePlanItem), ParameterSetName = new[] { AllSet })]
    public sealed class UpdateArkImageCommand : ArkCmdlet
    {
        private const string ImageSet = "Image";
        private const string AllSet = "All";

        /// <summary>The image references to update, e.g. tbro98/ase-server:latest. Accepts strings and objects with an
        /// Image or Reference property (ImageUpdateCheck, ImageStatus, ImageInfo). Default: every required image of the
        /// configuration.</summary>
        [Parameter(ParameterSetName = ImageSet, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string[]? Image { get; set; }

        /// <summary>Updates every required image of the configuration in one rolling run and outputs one
        /// BatchUpdateResult.</summary>
        [Parameter(ParameterSetName = AllSet, Mandatory = true)]
        public SwitchParameter All { get; set; }

        /// <summary>How many servers are replaced at the same time (at least 1; the servers of one cluster always one
        /// after another). Default: 1.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int? MaxParallel { get; set; }

        /// <summary>Goes on with the other servers and images after a server that rolled back or failed (by default
        /// the run stops there). The command still ends with an error when one failed.</summary>
        [Parameter]
        public SwitchParameter ContinueOnError { get; set; }

        /// <summary>Servers with RCON: the countdown before each server stops, in minutes, e.g. 15, 10, 5, 1.
        /// Default: the library's (15, 10, 5, 1 when players are online).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateRange(1, 1440)]
        public int[]? WarningMinutes { get; set; }

        /// <summary>Servers with RCON: no countdown warnings before each server stops.</summary>
        [Parameter]
        public SwitchParameter NoWarning { get; set; }

        /// <summary>Servers with RCON: the command that shows the warnings, Broadcast (ASE, the default) or ServerChat
        /// (ASA).</summary>
        [Parameter]
        [ValidateSet(SafeStopParameters.Broadcast, SafeStopParameters.ServerChat, IgnoreCase = true)]
        public string? MessageCommand { get; set; }

        /// <summary>Only pulls the newer image; no server is recreated (Update-ArkServer can do that later).</summary>
        [Parameter]
        public SwitchParameter NoRecreate { get; set; }

        /// <summary>Archives every volume of each server after its old container stopped and before the new one starts
        /// (see Backup-ArkServer).</summary>
        [Parameter]
        public SwitchParameter BackupVolumes { get; set; }

        /// <summary>Where -BackupVolumes writes its archives. Relative paths are relative to the current PowerShell
        /// location. Default: &lt;stateDirectory&gt;/backups/&lt;server&gt;.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BackupDirectory { get; set; }

        /// <summary>How long each new container has to prove healthy before it is rolled back: a number of seconds
        /// (600) or a TimeSpan ('00:10:00', (New-TimeSpan -Minutes 10)). Default: 10 minutes.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? HealthTimeout { get; set; }

        /// <summary>Pulls and recreates even when the registry reports no newer image.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Only these servers (names). Default: every server that runs the image.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[]? Server { get; set; }

        /// <summary>Only the servers of this owner; the servers of other owners keep their image.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <summary>How long to wait for another run that is changing a server: a number of seconds (600) or a TimeSpan
        /// ('00:10:00', (New-TimeSpan -Minutes 10)). Default: 0, which fails at once.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? LockTimeout { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            SafeStopOptions? safeStop = null;
            if (NoWarning.IsPresent || WarningMinutes != null || MessageCommand != null)
            {
                safeStop = SafeStopParameters.Build(NoWarning.IsPresent, WarningMinutes, MessageCommand, false, null, out var error);
                if (safeStop is null)
                {
                    ThrowTerminatingError(error!);
                    return;
                }
            }

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
                SafeStop = safeStop ?? defaults.SafeStop,
                MaxParallel = MaxParallel ?? defaults.MaxParallel,
                ContinueOnError = ContinueOnError.IsPresent,
            };

            if (ParameterSetName == AllSet)
            {
                UpdateAll(images, options);
                return;
            }

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

                WriteResultOrFail(result, result.Succeeded, result.Summary, result.Servers, image, $"Updating image '{image}'", _ => $"Updating image '{image}'", listSkipped: true);
            }
        }

        private void UpdateAll(string[] images, UpdateOptions options)
        {
            var description = string.Format(
                CultureInfo.InvariantCulture,
                "Update every required image ({0}) in one rolling run: {1}{2}, {3} server(s) at a time{4}{5}.",
                string.Join(", ", images),
                Force.IsPresent ? "pull each" : "pull each the registry has a newer image of",
                NoRecreate.IsPresent ? " (servers are not recreated)" : ", then recreate the servers that run them",
                options.MaxParallel,
                ContinueOnError.IsPresent ? ", going on after a failed server" : ", stopping at the first failed server",
                Scope());
            if (!ShouldProcess(description, description + " Continue?", "Update-ArkImage", out var reason))
            {
                if (reason == ShouldProcessReason.WhatIf)
                {
                    foreach (var image in images)
                    {
                        if (ValidateReference(image) && TryInvoke((m, ct) => m.PlanUpdateAsync(image, options, ct), image, out var plan))
                        {
                            WriteObject(plan, enumerateCollection: true);
                        }
                    }
                }

                return;
            }

            var failure = InvokeWithProgress("Updating every required image", null, (m, p, ct) => m.UpdateAllImagesAsync(options, p, ct), out var result);
            if (failure is ServerUpdateException updateFailure)
            {
                var partial = new BatchUpdateResult
                {
                    Servers = new[] { updateFailure.Result },
                    Succeeded = false,
                    Summary = updateFailure.Message,
                };
                WriteObject(partial);
                ThrowUpdateFailure(partial, updateFailure);
            }

            if (failure != null)
            {
                HandleError(failure, null);
                return;
            }

            WriteResultOrFail(result, result.Succeeded, result.Summary, result.Servers, string.Empty, "Updating every required image", f => $"Updating every required image ('{f.Image}')", listSkipped: false);
        }

        /// <summary>
        /// Writes an update result; when a server rolled back or failed, ends the command with that server's failure
        /// (the result as the target object, so scripts can catch it).
        /// </summary>
        private void WriteResultOrFail(object result, bool succeeded, string summary, IReadOnlyList<ServerUpdateResult> servers, string image,
            string context, Func<ServerUpdateResult, string> serverContext, bool listSkipped)
        {
            WriteObject(result);
            if (succeeded)
            {
                if (!string.IsNullOrEmpty(summary))
                {
                    WriteVerbose(summary);
                }

                return;
            }

            var failed = servers.FirstOrDefault(s => s.Outcome == UpdateOutcome.Failed)
                ?? servers.FirstOrDefault(s => s.Outcome == UpdateOutcome.RolledBack)
                ?? new ServerUpdateResult { Image = image, Outcome = UpdateOutcome.Failed, Error = summary };
            var skipped = listSkipped
                ? servers.Where(s => s.Outcome == UpdateOutcome.Skipped && !string.IsNullOrEmpty(s.Error)).Select(s => s.Server).ToList()
                : new List<string>();
            var message = string.IsNullOrEmpty(failed.Server)
                ? $"{context} failed: {summary}"
                : DescribeFailure(serverContext(failed), failed) +
                  (skipped.Count == 0 ? string.Empty : " Not attempted after it: " + string.Join(", ", skipped) + ".");
            ThrowUpdateFailure(result, new ServerUpdateException(message, failed));
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

    /// <summary>Rolls servers back to the image they ran before their last successful update.</summary>
    /// <remarks>
    /// <para>Recreates each server on the image it ran before its last successful update, recreate or rollback (that
    /// image is kept on disk for this: Remove-ArkImage does not remove it), through the same transaction as
    /// Update-ArkServer: the stop honours the server's stop timeout, the recreated container must prove healthy within
    /// -HealthTimeout, and a failing one is rolled back to the container that ran before. The server keeps its image
    /// reference. Rolling back twice returns to the newer image.</para>
    /// <para>A server with no earlier image to return to is a non-terminating NoRollbackTarget error (category
    /// ObjectNotFound).</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <input type="ArkManager.Images.ServerUpdateResult">Objects with a Name or Server property.</input>
    /// <output type="ArkManager.Images.ServerUpdateResult">One per server; Outcome Updated means the server now runs
    /// its previous image.</output>
    /// <note>A rollback that itself had to be rolled back (UpdateRolledBack) or failed (UpdateFailed) is a terminating
    /// error, category InvalidResult, whose TargetObject is the ServerUpdateResult (also written to the pipeline
    /// first). Other errors: NoRollbackTarget and ServerNotFound (ObjectNotFound), ServerLocked (ResourceBusy).</note>
    /// <parameter name="WhatIf">Shows which servers would be rolled back, without doing it. Nothing is contacted or
    /// changed.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each server (the default: the impact is High).
    /// -Confirm:$false never asks, whatever $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Undo-ArkImageUpdate -Name island</code>
    /// <para>Asks for confirmation, then recreates island on the image it ran before its last update.</para>
    /// </example>
    /// <example>
    /// <code>Undo-ArkImageUpdate -Name island, center -Confirm:$false -HealthTimeout 600</code>
    /// <para>Rolls two servers back without asking, giving each recreated container 10 minutes to prove healthy.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkUpdateHistory -Since (Get-Date).AddHours(-1) | Where-Object Outcome -eq 'Updated' | Undo-ArkImageUpdate -WhatIf</code>
    /// <para>Shows which servers updated in the last hour would be rolled back.</para>
    /// </example>
    /// <seealso cref="UpdateArkImageCommand"/>
    /// <seealso cref="UpdateArkServerCommand"/>
    /// <seealso cref="GetArkUpdateHistoryCommand"/>
    [Cmdlet(VerbsCommon.Undo, "ArkImageUpdate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ServerUpdateResult))]
    public sealed class UndoArkImageUpdateCommand : ArkCmdlet
    {
        /// <summary>The server names. Accepts strings and objects with a Name or Server property (ServerInfo,
        /// ServerUpdateResult, UpdateHistoryRecord).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>How long the recreated container has to prove healthy before it is rolled back: a number of seconds
        /// (600) or a TimeSpan ('00:10:00', (New-TimeSpan -Minutes 10)). Default: 10 minutes.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? HealthTimeout { get; set; }

        /// <summary>How long to wait for another run that is changing the same server: a number of seconds (600) or a
        /// TimeSpan ('00:10:00', (New-TimeSpan -Minutes 10)). Default: 0, which fails at once with
        /// ServerLocked.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? LockTimeout { get; set; }

        /// <summary>Only touches servers of this owner: a server of another owner is reported as
        /// ServerNotFound.</summary>
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

    /// <summary>Shows the update history: every update, recreate and rollback of the servers, with the images before
    /// and after, the outcome and the steps.</summary>
    /// <remarks>
    /// <para>Outputs one UpdateHistoryRecord per server and operation (Kind Update, Recreate, Rollback or Recovery),
    /// oldest first: the image ids and digests before and after, the containers before and after, the outcome (Updated,
    /// RolledBack, Failed, ...), the error, the steps with their timings and the backup archive. The history is kept in
    /// the state directory (stateDirectory of the configuration). Reads only; the Docker daemon is not
    /// contacted.</para>
    /// </remarks>
    /// <input type="ArkManager.Images.ServerInfo">Objects with a Name or Server property.</input>
    /// <output type="ArkManager.Images.UpdateHistoryRecord">One per update, recreate or rollback of a server, oldest
    /// first.</output>
    /// <example>
    /// <code>Get-ArkUpdateHistory -Name island</code>
    /// <para>Shows every update and rollback of the server island.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkUpdateHistory -Since (Get-Date).AddDays(-7) | Where-Object Outcome -ne 'Updated'</code>
    /// <para>Shows the updates of the last week that were rolled back or failed.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkUpdateHistory -Image 'tbro98/ase-server:latest' -Last 1 | Select-Object -ExpandProperty Steps</code>
    /// <para>Shows the steps, with their timings, of the newest update of a server on the image.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer -Owner alice | Get-ArkUpdateHistory -Last 3</code>
    /// <para>Shows the three newest records of each server of the owner alice.</para>
    /// </example>
    /// <seealso cref="UpdateArkImageCommand"/>
    /// <seealso cref="UpdateArkServerCommand"/>
    /// <seealso cref="UndoArkImageUpdateCommand"/>
    [Cmdlet(VerbsCommon.Get, "ArkUpdateHistory")]
    [OutputType(typeof(UpdateHistoryRecord))]
    public sealed class GetArkUpdateHistoryCommand : ArkCmdlet
    {
        /// <summary>Only the records of this server. Accepts objects with a Name or Server property from the pipeline
        /// (ServerInfo, ServerUpdateResult).</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string? Name { get; set; }

        /// <summary>Only the records of this image reference, e.g. tbro98/ase-server:latest.</summary>
        [Parameter]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string? Image { get; set; }

        /// <summary>Only the records that started at or after this time, e.g. (Get-Date).AddDays(-7).</summary>
        [Parameter]
        public DateTime? Since { get; set; }

        /// <summary>Only the newest N records (after the other filters).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Last { get; set; }

        /// <summary>Only the records of this owner's servers.</summary>
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

    /// <summary>Removes older images of an image's repository, keeping the newest ones, every image a container uses
    /// and every rollback target.</summary>
    /// <remarks>
    /// <para>Considers the local images of the repository of -Image (every tag of it) and removes all but the newest
    /// -KeepLatest, except the images a container (running or not) uses and the images Undo-ArkImageUpdate could return
    /// a server to. Containers and volumes are never removed. Outputs what was removed and what was kept, with the
    /// reason.</para>
    /// <para>The removal cannot be undone: the command asks for confirmation (its impact is High) unless
    /// -Confirm:$false is given. -WhatIf tells which repository would be considered and removes nothing.</para>
    /// </remarks>
    /// <input type="System.String">Image references.</input>
    /// <input type="ArkManager.Images.ImageUpdateResult">Objects with an Image or Reference property.</input>
    /// <output type="ArkManager.Images.ImageCleanupResult">The repository, the images removed and the images kept with
    /// the reason.</output>
    /// <note>A removal the daemon refuses is a DockerOperationFailed error.</note>
    /// <parameter name="WhatIf">Tells which repository would be cleaned up and by which rule; removes nothing and
    /// contacts nothing.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each repository (the default: the impact is High).
    /// -Confirm:$false never asks, whatever $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Remove-ArkImage -Image 'tbro98/ase-server:latest'</code>
    /// <para>Asks for confirmation, then removes the older images of tbro98/ase-server that no container uses and no
    /// rollback needs, keeping the newest.</para>
    /// </example>
    /// <example>
    /// <code>Update-ArkImage -Image 'tbro98/ase-server:latest' -Confirm:$false | Remove-ArkImage -KeepLatest 2 -Confirm:$false</code>
    /// <para>Updates, then cleans up without asking, keeping the two newest images.</para>
    /// </example>
    /// <example>
    /// <code>Remove-ArkImage -Image 'tbro98/ase-server:latest' -KeepLatest 0 -WhatIf</code>
    /// <para>Tells what would be considered; removes nothing.</para>
    /// </example>
    /// <seealso cref="UpdateArkImageCommand"/>
    /// <seealso cref="UndoArkImageUpdateCommand"/>
    /// <seealso cref="GetArkImageCommand"/>
    [Cmdlet(VerbsCommon.Remove, "ArkImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ImageCleanupResult))]
    public sealed class RemoveArkImageCommand : ArkCmdlet
    {
        /// <summary>An image reference, e.g. tbro98/ase-server:latest: its repository's older images are removed.
        /// Accepts strings and objects with an Image or Reference property.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string Image { get; set; } = string.Empty;

        /// <summary>How many of the newest images of the repository to keep, besides the images in use and the rollback
        /// targets. 0 keeps only those. Default: 1.</summary>
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
