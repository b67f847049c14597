using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Lists the managed ARK servers, or the servers an image update would affect.</summary>
    /// <remarks>
    /// <para>Outputs one ServerInfo per managed server (a container labelled io.arkmanager.server): name, state,
    /// status, image, container id, stop timeout and signal, ports and labels. A name without wildcards that matches no
    /// server is a non-terminating ServerNotFound error (category ObjectNotFound); a wildcard pattern that matches
    /// nothing outputs nothing.</para>
    /// <para>Status is Docker's status text (Up 3 minutes, Exited (0) 2 hours ago), the same for created and adopted
    /// servers. HasRcon tells whether a stop runs over RCON. When a run was killed in the middle of an update, recreate
    /// or rollback, PendingTransaction says so and what the next call that touches the server will do, e.g. "Update
    /// interrupted at Stop: the next call will undo it"; the table shows it in the Status column as "Pending: undo
    /// Update at Stop".</para>
    /// <para>With -Image it outputs the servers created from that image reference instead, as AffectedServer objects:
    /// also the servers that still run an older image the tag pointed to before. OnNewestImage tells whether a server
    /// already runs the image the tag names locally now; NewestImageId is that image. These are the servers
    /// Update-ArkImage recreates.</para>
    /// <para>With -Owner only the servers of that owner are listed (the io.arkmanager.owner label, see New-ArkServer
    /// -Owner and Register-ArkServer -Owner); a named server of another owner is reported as ServerNotFound. Servers
    /// adopted with Register-ArkServer are listed too (IsRegistered is true until their first recreate).</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <output type="ArkManager.Images.ServerInfo">One per server.</output>
    /// <output type="ArkManager.Images.AffectedServer">With -Image: one per server created from the image, with the
    /// image it runs and whether that is the newest local image of the reference.</output>
    /// <example>
    /// <code>Get-ArkServer</code>
    /// <para>Lists every server.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer -Name 'island*' | Stop-ArkServer</code>
    /// <para>Stops the servers whose name starts with island.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer -Owner alice</code>
    /// <para>Lists the servers of the owner alice.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer -Image 'tbro98/ase-server:latest' | Where-Object { -not $_.OnNewestImage }</code>
    /// <para>Lists the servers that do not run the newest local image of tbro98/ase-server:latest yet: the ones
    /// Update-ArkServer or Update-ArkImage would recreate.</para>
    /// </example>
    /// <seealso cref="NewArkServerCommand"/>
    /// <seealso cref="StartArkServerCommand"/>
    /// <seealso cref="StopArkServerCommand"/>
    /// <seealso cref="UpdateArkImageCommand"/>
    /// <seealso cref="RegisterArkServerCommand"/>
    [Cmdlet(VerbsCommon.Get, "ArkServer", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(ServerInfo), ParameterSetName = new[] { NameSet })]
    [OutputType(typeof(AffectedServer), ParameterSetName = new[] { ImageSet })]
    public sealed class GetArkServerCommand : ArkCmdlet
    {
        private const string NameSet = "Name";
        private const string ImageSet = "Image";

        /// <summary>Server names; wildcards are allowed (island*). Default: every server.</summary>
        [Parameter(ParameterSetName = NameSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>An image reference, e.g. tbro98/ase-server:latest: lists the servers created from it (including
        /// those still on an older image of the tag) as AffectedServer objects instead of ServerInfo. Looks locally
        /// only.</summary>
        [Parameter(ParameterSetName = ImageSet, Mandatory = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string Image { get; set; } = string.Empty;

        /// <summary>Only the servers of this owner (the io.arkmanager.owner label). Without it, every server is listed
        /// whatever its owner.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ImageSet)
            {
                if (ValidateReference(Image) && TryInvoke((m, ct) => m.GetAffectedServersAsync(Image, Owner, ct), Image, out var affected))
                {
                    WriteObject(affected, enumerateCollection: true);
                }

                return;
            }

            IReadOnlyList<ServerInfo>? all = null;
            if (Name is null)
            {
                if (TryInvoke((m, ct) => Owner is null ? m.GetServersAsync(ct) : m.GetServersAsync(Owner, ct), null, out all))
                {
                    WriteObject(all, enumerateCollection: true);
                }

                return;
            }

            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    if (all is null && !TryInvoke((m, ct) => Owner is null ? m.GetServersAsync(ct) : m.GetServersAsync(Owner, ct), name, out all))
                    {
                        return;
                    }

                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                    foreach (var server in all.Where(s => pattern.IsMatch(s.Name)))
                    {
                        if (written.Add(server.ContainerId))
                        {
                            WriteObject(server);
                        }
                    }

                    continue;
                }

                if (!TryInvoke((m, ct) => m.GetServerAsync(name, ct), name, out var found))
                {
                    continue;
                }

                if (found is null || (Owner != null && !string.Equals(found.Owner, Owner, StringComparison.Ordinal)))
                {
                    WriteError(ErrorRecords.ServerNotFound(name));
                }
                else if (written.Add(found.ContainerId))
                {
                    WriteObject(found);
                }
            }
        }
    }
}
