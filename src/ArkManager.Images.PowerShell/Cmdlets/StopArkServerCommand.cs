using System;
using System.Globalization;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Stops ARK servers safely: countdown warnings to the players, a confirmed world save and DoExit over
    /// RCON, or Docker's stop with the server's stop timeout.</summary>
    /// <remarks>
    /// <para>When the server has RCON settings (New-ArkServer -RconPort), the stop runs over RCON: when players are
    /// online (or with -WarnEvenIfEmpty) a countdown of warnings is sent (default 15, 10, 5 and 1 minutes before the
    /// stop; -WarningMinutes changes it, -NoWarning skips it), then SaveWorld, whose answer and the updated save file
    /// prove the save, then DoExit, and the command waits for the container to exit. When the server has no RCON
    /// settings, or a step fails, Docker's stop is used instead: the server's stop signal, then a kill after its stop
    /// timeout (or -Timeout).</para>
    /// <para>Outputs the server as it is after the stop. How the stop went (RCON used, saved, DoExit, fallback and why,
    /// exit code, duration) is written to the verbose stream (-Verbose). The progress shows the current phase
    /// (Warning, Save, Exit, DockerStop). Ctrl+C stops waiting.</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <input type="ArkManager.Images.ServerInfo">Servers from Get-ArkServer.</input>
    /// <output type="ArkManager.Images.ServerInfo">The stopped server.</output>
    /// <parameter name="WhatIf">Shows what would happen to each server without doing it: over RCON (the countdown, the
    /// save, DoExit) when the server has RCON settings, else Docker's stop with its signal and timeout. The daemon is
    /// asked for the server (a missing one is ServerNotFound); nothing is sent to the server or stopped.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Stop-ArkServer -Name island -Timeout 600</code>
    /// <para>Stops the server island: warns the players online 15, 10, 5 and 1 minutes before, saves the world and
    /// exits over RCON (or uses Docker's stop, waiting up to 10 minutes for the save, when it has no RCON).</para>
    /// </example>
    /// <example>
    /// <code>Stop-ArkServer -Name island -WarningMinutes 5, 1 -MessageCommand ServerChat -Verbose</code>
    /// <para>Stops an ASA server with a 5-minute countdown sent with ServerChat, and shows how the stop went.</para>
    /// </example>
    /// <example>
    /// <code>Stop-ArkServer -Name island -NoWarning -Confirm:$false</code>
    /// <para>Saves and stops island at once, without warning the players.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer | Stop-ArkServer -WhatIf</code>
    /// <para>Shows which servers would be stopped; stops nothing.</para>
    /// </example>
    /// <seealso cref="StartArkServerCommand"/>
    /// <seealso cref="GetArkServerCommand"/>
    /// <seealso cref="GetArkPlayerCommand"/>
    /// <seealso cref="SendArkRconCommandCommand"/>
    [Cmdlet(VerbsLifecycle.Stop, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class StopArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names. Accepts strings and ServerInfo objects (Get-ArkServer). Literal names only (the command changes servers): a wildcard (*, ?, [ ]) is a non-terminating WildcardNotSupported error; select servers with Get-ArkServer -Name 'island*' | Stop-ArkServer.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>How long to wait for the exit after DoExit and, with Docker's stop, for the world save before the
        /// container is killed: seconds (600) or a TimeSpan ('00:10:00'). Default: the server's stop timeout.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? Timeout { get; set; }

        /// <summary>Sends no countdown warnings: saves and stops at once.</summary>
        [Parameter]
        public SwitchParameter NoWarning { get; set; }

        /// <summary>The countdown, in minutes before the stop, e.g. 15, 10, 5, 1 (the default). The first warning is
        /// sent at once.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateRange(1, 1440)]
        public int[]? WarningMinutes { get; set; }

        /// <summary>The RCON command that shows the warnings: Broadcast (ASE, the default) or ServerChat (ASA ignores
        /// Broadcast).</summary>
        [Parameter]
        [ValidateSet(SafeStopParameters.Broadcast, SafeStopParameters.ServerChat, IgnoreCase = true)]
        public string? MessageCommand { get; set; }

        /// <summary>Sends the countdown even when nobody is online (by default it is skipped then).</summary>
        [Parameter]
        public SwitchParameter WarnEvenIfEmpty { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var options = SafeStopParameters.Build(NoWarning.IsPresent, WarningMinutes, MessageCommand, WarnEvenIfEmpty.IsPresent, Timeout, out var error);
            if (options is null)
            {
                ThrowTerminatingError(error!);
                return;
            }

            foreach (var name in Name)
            {
                if (!ServerNames.IsLiteral(name, "Stop-ArkServer", out var wildcard))
                {
                    WriteError(wildcard!);
                    continue;
                }

                // The text names what will happen to this server: the RCON countdown only when it has RCON settings.
                if (!TryInvoke((m, ct) => m.GetServerAsync(name, ct), name, out var target))
                {
                    continue;
                }

                if (target is null)
                {
                    WriteError(ErrorRecords.ServerNotFound(name));
                    continue;
                }

                if (!ShouldProcess(name, SafeStopParameters.Describe(target, options)))
                {
                    continue;
                }

                var activity = "Stopping server " + name;
                var id = ProgressActivity.ReserveIds(1);
                var progress = new PumpedProgress<StopProgress>(Post, p => WriteProgress(new ProgressRecord(id, activity, p.Phase + ": " + (string.IsNullOrEmpty(p.Message) ? p.Phase.ToString() : p.Message))));
                Exception? failure;
                SafeStopResult result;
                try
                {
                    failure = Invoke((m, ct) => m.SafeStopServerAsync(name, options, progress, ct), out result);
                }
                finally
                {
                    progress.Close();
                    try
                    {
                        WriteProgress(new ProgressRecord(id, activity, "Done") { RecordType = ProgressRecordType.Completed });
                    }
                    catch (PipelineStoppedException)
                    {
                    }
                }

                if (failure != null)
                {
                    HandleError(failure, name);
                    continue;
                }

                WriteVerbose(SafeStopParameters.Describe(result));
                if (TryInvoke((m, ct) => m.GetServerAsync(name, ct), name, out var server))
                {
                    if (server is null)
                    {
                        WriteError(ErrorRecords.ServerNotFound(name));
                    }
                    else
                    {
                        WriteObject(server);
                    }
                }
            }
        }
    }
}
