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
        /// <summary>The server name. Accepts objects with a Name property (ServerInfo). Literal names only (the command changes servers): a wildcard (*, ?, [ ]) is a non-terminating WildcardNotSupported error; select servers with Get-ArkServer -Name 'island*' | Send-ArkRconCommand.</summary>
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
            if (!ServerNames.IsLiteral(Name, "Send-ArkRconCommand", out var wildcard))
            {
                WriteError(wildcard!);
                return;
            }

            if (ShouldProcess(Name, $"Send the RCON command '{Command}'") &&
                TryInvoke((m, ct) => m.SendRconCommandAsync(Name, Command, ct), Name, out var reply))
            {
                WriteObject(reply);
            }
        }
    }
}
