using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Runs an RCON command on an ARK server and outputs its reply.</summary>
    /// <remarks>
    /// <para>Connects to the server's RCON port, logs in and runs -Command, then outputs the server's reply as a
    /// string. The RCON settings come from the server's labels and environment: the port from New-ArkServer -RconPort
    /// (label io.arkmanager.rcon.port), the password from the environment variable named by -RconPasswordVariable
    /// (default ARK_RCON_PASSWORD). The password never appears in messages, logs or errors.</para>
    /// <para>A server without RCON settings, a refused log-in or an unreachable port is a non-terminating error; an
    /// unknown name is a ServerNotFound error.</para>
    /// </remarks>
    /// <input type="System.Management.Automation.PSObject">Objects with a Name property (ServerInfo).</input>
    /// <output type="System.String">The server's reply (may be empty).</output>
    /// <parameter name="WhatIf">Shows which command would be sent to which server, without connecting.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before the command is sent. -Confirm:$false never asks,
    /// whatever $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Send-ArkRconCommand -Name island -Command 'Broadcast Restart in 5 minutes'</code>
    /// <para>Shows a message to every player on the server island.</para>
    /// </example>
    /// <example>
    /// <code>Send-ArkRconCommand -Name island -Command 'SaveWorld' -Confirm:$false</code>
    /// <para>Saves the world of island without asking and outputs the reply (World Saved).</para>
    /// </example>
    /// <seealso cref="GetArkPlayerCommand"/>
    /// <seealso cref="StopArkServerCommand"/>
    /// <seealso cref="NewArkServerCommand"/>
    [Cmdlet(VerbsCommunications.Send, "ArkRconCommand", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(string))]
    public sealed class SendArkRconCommandCommand : ArkCmdlet
    {
        /// <summary>The server name. Accepts objects with a Name property (ServerInfo).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>The RCON command, e.g. ListPlayers, SaveWorld, 'Broadcast Hello' or 'ServerChat Hello'.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Command { get; set; } = string.Empty;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ShouldProcess(Name, $"Send the RCON command '{Command}'") &&
                TryInvoke((m, ct) => m.SendRconCommandAsync(Name, Command, ct), Name, out var reply))
            {
                WriteObject(reply);
            }
        }
    }

    /// <summary>Lists the players online on ARK servers (RCON ListPlayers).</summary>
    /// <remarks>
    /// <para>Runs ListPlayers over RCON on each server and outputs one ArkPlayer per player online: the position in the
    /// list (Index), the name and the Steam id (on ASA the EOS id). Each object also has a Server note property with the
    /// server's name. Nobody online outputs nothing.</para>
    /// <para>The server needs RCON settings (see New-ArkServer -RconPort and Send-ArkRconCommand). A server that cannot
    /// be asked is a non-terminating error; the other servers are still asked.</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <input type="ArkManager.Images.ServerInfo">Servers from Get-ArkServer.</input>
    /// <output type="ArkManager.Images.ArkPlayer">One per player online, with a Server note property.</output>
    /// <example>
    /// <code>Get-ArkPlayer -Name island</code>
    /// <para>Lists the players online on the server island.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer | Where-Object State -eq 'running' | Get-ArkPlayer | Group-Object Server -NoElement</code>
    /// <para>Counts the players online on every running server.</para>
    /// </example>
    /// <seealso cref="SendArkRconCommandCommand"/>
    /// <seealso cref="StopArkServerCommand"/>
    [Cmdlet(VerbsCommon.Get, "ArkPlayer")]
    [OutputType(typeof(ArkPlayer))]
    public sealed class GetArkPlayerCommand : ArkCmdlet
    {
        /// <summary>The server names. Accepts strings and ServerInfo objects (Get-ArkServer).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (var name in Name)
            {
                if (!TryInvoke((m, ct) => m.GetPlayersAsync(name, ct), name, out var players))
                {
                    continue;
                }

                foreach (var player in players)
                {
                    var wrapped = PSObject.AsPSObject(player);
                    wrapped.Properties.Add(new PSNoteProperty("Server", name));
                    WriteObject(wrapped);
                }
            }
        }
    }

    /// <summary>The countdown parameters shared by Stop-ArkServer and Update-ArkImage, mapped to SafeStopOptions.</summary>
    internal static class SafeStopParameters
    {
        /// <summary>The message commands -MessageCommand accepts.</summary>
        public const string Broadcast = "Broadcast";

        /// <summary>The ASA message command.</summary>
        public const string ServerChat = "ServerChat";

        /// <summary>
        /// Builds the options; returns null (and the error) when -NoWarning and -WarningMinutes are both given or a
        /// minute count is not positive.
        /// </summary>
        public static SafeStopOptions? Build(bool noWarning, int[]? warningMinutes, string? messageCommand, bool warnEvenIfEmpty, TimeSpan? stopTimeout, out ErrorRecord? error)
        {
            error = null;
            if (noWarning && warningMinutes != null)
            {
                error = ErrorRecords.Create("ConflictingParameters", ErrorCategory.InvalidArgument, null, new ArgumentException("-NoWarning and -WarningMinutes cannot be used together."));
                return null;
            }

            var options = new SafeStopOptions
            {
                MessageCommand = string.IsNullOrEmpty(messageCommand) ? Broadcast : messageCommand!,
                WarnEvenIfEmpty = warnEvenIfEmpty,
                StopTimeout = stopTimeout,
            };
            if (noWarning)
            {
                options = options with { Warnings = Array.Empty<TimeSpan>() };
            }
            else if (warningMinutes != null)
            {
                options = options with { Warnings = warningMinutes.Distinct().OrderByDescending(m => m).Select(m => TimeSpan.FromMinutes(m)).ToArray() };
            }

            return options;
        }

        /// <summary>The countdown, as text for ShouldProcess messages.</summary>
        public static string Describe(SafeStopOptions options) =>
            options.Warnings.Count == 0
                ? "no countdown"
                : "countdown " + string.Join(", ", options.Warnings.Select(w => w.TotalMinutes.ToString(CultureInfo.InvariantCulture))) + " min (" + options.MessageCommand + ")";

        /// <summary>How a safe stop went, in one line (for the verbose stream).</summary>
        public static string Describe(SafeStopResult result)
        {
            var parts = new List<string>
            {
                "UsedRcon=" + result.UsedRcon,
                "Saved=" + result.Saved,
                "ExitedByDoExit=" + result.ExitedByDoExit,
                "FellBackToDockerStop=" + result.FellBackToDockerStop,
                "PlayersOnline=" + result.PlayersOnline.Count,
                "WarningsSent=" + result.WarningsSent.Count,
                "ExitCode=" + (result.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"),
                "Duration=" + result.Duration.ToString("c", CultureInfo.InvariantCulture),
            };
            if (!string.IsNullOrEmpty(result.Reason))
            {
                parts.Add("Reason=" + result.Reason);
            }

            return $"Stopped server '{result.Server}': " + string.Join(", ", parts);
        }
    }
}
