using System;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Rolls servers back to the image they ran before their last successful update.</summary>
    /// <remarks>
    /// <para>Recreates each server on the image it ran before the last successful update or recreate that led to the
    /// image it runs now (that image is kept on disk for this: Remove-ArkImage does not remove it), through the same transaction as
    /// Update-ArkServer: the stop honours the server's stop timeout, the recreated container must prove healthy within
    /// -HealthTimeout, and a failing one is rolled back to the container that ran before. The server keeps its image
    /// reference. A rollback is never itself a rollback target: rolling back twice goes one more update back (or is
    /// NoRollbackTarget); to return to the newer image, update again.</para>
    /// <para>A server with no earlier image to return to is a non-terminating NoRollbackTarget error (category
    /// ObjectNotFound).</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <input type="ArkManager.Images.ServerUpdateResult">Objects with a Name or Server property.</input>
    /// <output type="ArkManager.Images.ServerUpdateResult">One per server; Outcome Reverted means the server now runs
    /// its previous image (the history records it as Kind Rollback, Outcome Reverted).</output>
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
    /// <code>Get-ArkUpdateHistory -Since (Get-Date).AddHours(-1) | Where-Object { $_.Kind -eq 'Update' -and $_.Outcome -eq 'Updated' } | Undo-ArkImageUpdate -WhatIf</code>
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
        /// ServerUpdateResult, UpdateHistoryRecord). Literal names only (the command changes servers): a wildcard (*, ?, [ ]) is a non-terminating WildcardNotSupported error; select servers with Get-ArkServer -Name 'island*' | Undo-ArkImageUpdate.</summary>
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
            var options = new RecreateOptions { Owner = Owner };
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
                if (!ServerNames.IsLiteral(name, "Undo-ArkImageUpdate", out var wildcard))
                {
                    WriteError(wildcard!);
                    continue;
                }

                if (!ShouldProcess(name, "Recreate on the image it ran before its last update"))
                {
                    continue;
                }

                var failure = InvokeWithProgress("Rolling back server " + name, null, (m, p, ct) => m.RollbackAsync(name, options, p, ct), out var result);
                if (failure != null)
                {
                    HandleError(failure, name);
                    continue;
                }

                WriteObject(result);
                if (!result.Succeeded)
                {
                    ThrowUpdateFailure(result, result.ToException($"Rolling back server '{name}' to its previous image")!);
                }
            }
        }
    }
}
