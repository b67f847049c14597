using System;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
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
        /// <summary>The server names; wildcards are allowed (a pattern asks every matching server; one that matches
        /// nothing outputs nothing). Accepts strings and ServerInfo objects (Get-ArkServer).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (var name in Expand(Name))
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

        /// <summary>The literal names, and the servers each wildcard pattern matches (listed once).</summary>
        private System.Collections.Generic.IEnumerable<string> Expand(string[] names)
        {
            System.Collections.Generic.IReadOnlyList<ServerInfo>? all = null;
            foreach (var name in names)
            {
                if (!WildcardPattern.ContainsWildcardCharacters(name))
                {
                    yield return name;
                    continue;
                }

                if (all is null && !TryInvoke((m, ct) => m.GetServersAsync(ct), name, out all))
                {
                    yield break;
                }

                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                foreach (var server in all)
                {
                    if (pattern.IsMatch(server.Name))
                    {
                        yield return server.Name;
                    }
                }
            }
        }
    }
}
