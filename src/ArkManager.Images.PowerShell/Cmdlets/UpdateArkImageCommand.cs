using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Updates images: pulls the newer image because you ask, then recreates every server that runs it, one at
    /// a time, rolling back a server whose new container fails.</summary>
    /// <remarks>
    /// <para>For each image (default: the required images of the configuration) the registry is asked whether it has a
    /// newer image (one manifest request). If it has, or with -Force, the image is pulled, and each affected server
    /// (Get-ArkServer -Image lists them) is recreated on it through the transaction of Update-ArkServer: stop with the
    /// server's stop timeout, optional volume backup, start, health gate, automatic rollback when the new container
    /// fails. Each server's update is recorded in the update history (Get-ArkUpdateHistory). When the registry check
    /// fails (unreachable, refused credentials, ...) the update of that image fails and none of its servers is
    /// touched; with -Offline the registry is not asked and the servers are recreated on the newest local image. With
    /// -NoRecreate the image is only pulled.</para>
    /// <para>-WhatIf changes nothing and outputs the plan instead: one UpdatePlanItem per affected server with its
    /// Status (Recreate, AlreadyCurrent, PullOnly, or Blocked when the image's registry check failed), the digest it
    /// runs, the digest it would run and the steps that would run. With -All the plan is that of the whole run. The registry and the Docker daemon are
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
    /// <note>Made for scheduled tasks: -Confirm:$false never prompts. An update that did not succeed is a terminating
    /// error: UpdateRolledBack (the server runs its previous container again) or UpdateFailed (the rollback itself
    /// failed, or the server could not be started on: check the server), category InvalidResult, with
    /// $_.Exception.Result the failing server's ServerUpdateResult; or, when the image itself could not be updated and
    /// no server was touched, the ErrorId of the cause: RegistryUnreachable (category ConnectionError; see -Offline),
    /// RegistryAuthenticationFailed, RegistryError, ImagePullFailed. The result object is written to the pipeline
    /// first and is also the error's TargetObject. Catch it with try/catch; in a script run by pwsh -File, set $ErrorActionPreference
    /// = 'Stop' (or catch it and exit 1) so that a failed update makes pwsh exit with 1.</note>
    /// <note>The images after an image whose update failed are not updated. InvalidImageReference is
    /// non-terminating, per image.</note>
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

        /// <summary>Recreates the servers on the newest local image without asking the registry (it is down, or the
        /// machine is offline); nothing is pulled. Without -Offline, an image whose registry check fails is a failed
        /// update (RegistryUnreachable, RegistryError, ...) and none of its servers is touched.</summary>
        [Parameter]
        public SwitchParameter Offline { get; set; }

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

            var options = new UpdateOptions
            {
                Recreate = !NoRecreate.IsPresent,
                Servers = Server,
                BackupVolumes = BackupVolumes.IsPresent,
                BackupDirectory = BackupDirectory is null ? null : ResolvePath(BackupDirectory),
                Force = Force.IsPresent,
                Owner = Owner,
                ContinueOnError = ContinueOnError.IsPresent,
                Offline = Offline.IsPresent,
            };
            if (HealthTimeout is TimeSpan health)
            {
                options = options with { HealthTimeout = health };
            }

            if (LockTimeout is TimeSpan wait)
            {
                options = options with { LockTimeout = wait };
            }

            if (safeStop != null)
            {
                options = options with { SafeStop = safeStop };
            }

            if (MaxParallel is int parallel)
            {
                options = options with { MaxParallel = parallel };
            }

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
                if (failure != null)
                {
                    HandleError(failure, image);
                    continue;
                }

                WriteObject(result);
                if (!result.Succeeded)
                {
                    ThrowUpdateFailure(result, result.ToException()!);
                }

                WriteVerbose(result.Summary);
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
                if (reason == ShouldProcessReason.WhatIf && TryInvoke((m, ct) => m.PlanAllAsync(options, ct), null, out var plan))
                {
                    // -WhatIf: the plan of the whole run, as objects (the registry is asked; nothing is pulled or changed).
                    WriteObject(plan, enumerateCollection: true);
                }

                return;
            }

            var failure = InvokeWithProgress("Updating every required image", null, (m, p, ct) => m.UpdateAllImagesAsync(options, p, ct), out var result);
            if (failure != null)
            {
                HandleError(failure, null);
                return;
            }

            WriteObject(result);
            if (!result.Succeeded)
            {
                ThrowUpdateFailure(result, result.ToException()!);
            }

            WriteVerbose(result.Summary);
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
}
