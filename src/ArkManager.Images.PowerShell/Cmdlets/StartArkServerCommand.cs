using System;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Starts ARK servers. Refuses, without pulling, when a server's image is missing locally.</summary>
    /// <remarks>
    /// <para>Starts each server and outputs it. When the image a server was created from is not present locally the
    /// start is refused with the ErrorId ImageMissing (category ObjectNotFound) and the message names the
    /// Install-ArkImage command that pulls it; nothing is pulled automatically. An unknown name is a ServerNotFound
    /// error.</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <input type="ArkManager.Images.ServerInfo">Servers from Get-ArkServer.</input>
    /// <output type="ArkManager.Images.ServerInfo">The started server.</output>
    /// <parameter name="WhatIf">Shows what would happen without doing it. Nothing is contacted, pulled, created,
    /// started or stopped.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Start-ArkServer -Name island</code>
    /// <para>Starts the server island.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer | Where-Object State -ne 'running' | Start-ArkServer</code>
    /// <para>Starts every server that is not running.</para>
    /// </example>
    /// <seealso cref="StopArkServerCommand"/>
    /// <seealso cref="GetArkServerCommand"/>
    /// <seealso cref="InstallArkImageCommand"/>
    [Cmdlet(VerbsLifecycle.Start, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class StartArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names. Accepts strings and ServerInfo objects (Get-ArkServer). Literal names only (the command changes servers): a wildcard (*, ?, [ ]) is a non-terminating WildcardNotSupported error; select servers with Get-ArkServer -Name 'island*' | Start-ArkServer.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (var name in Name)
            {
                if (!ServerNames.IsLiteral(name, "Start-ArkServer", out var wildcard))
                {
                    WriteError(wildcard!);
                    continue;
                }

                if (ShouldProcess(name, "Start server") && TryInvoke((m, ct) => m.StartServerAsync(name, ct), name, out var server))
                {
                    WriteObject(server);
                }
            }
        }
    }
}
