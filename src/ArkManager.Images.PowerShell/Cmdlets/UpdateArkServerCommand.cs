using System;
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
        /// AffectedServer, ServerUpdateResult). Literal names only (the command changes servers): a wildcard (*, ?, [ ]) is a non-terminating WildcardNotSupported error; select servers with Get-ArkServer -Name 'island*' | Update-ArkServer.</summary>
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

            var options = new RecreateOptions
            {
                Image = Image,
                BackupVolumes = BackupVolumes.IsPresent,
                BackupDirectory = BackupDirectory is null ? null : ResolvePath(BackupDirectory),
                Force = Force.IsPresent,
                Owner = Owner,
            };
            if (HealthTimeout is TimeSpan health)
            {
                options = options with { HealthTimeout = health };
            }

            if (LockTimeout is TimeSpan wait)
            {
                options = options with { LockTimeout = wait };
            }

            foreach (var name in Name)
            {
                if (!ServerNames.IsLiteral(name, "Update-ArkServer", out var wildcard))
                {
                    WriteError(wildcard!);
                    continue;
                }

                var action = (Image is null ? "Recreate on the newest local image of its reference" : $"Recreate on the image '{Image}'") +
                             (BackupVolumes.IsPresent ? ", backing up its volumes first" : string.Empty);
                if (!ShouldProcess(name, action))
                {
                    continue;
                }

                var failure = InvokeWithProgress("Updating server " + name, Image, (m, p, ct) => m.RecreateContainerAsync(name, options, p, ct), out var result);
                if (failure != null)
                {
                    HandleError(failure, name);
                    continue;
                }

                WriteObject(result);
                if (!result.Succeeded)
                {
                    ThrowUpdateFailure(result, result.ToException($"Recreating server '{name}'")!);
                }
            }
        }
    }
}
