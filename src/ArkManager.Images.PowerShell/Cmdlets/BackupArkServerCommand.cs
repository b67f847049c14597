using System;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Archives every volume of stopped ARK servers (tar, gzipped by default) with a manifest, optionally
    /// keeping only the newest archives.</summary>
    /// <remarks>
    /// <para>Writes one archive per server into -Destination, named &lt;server&gt;-yyyyMMdd-HHmmss-&lt;id&gt;.tar.gz
    /// (.tar with -NoCompress): every volume and bind mount of the server's container, with a manifest naming the
    /// server, its container, its image and digest, and each volume's size and SHA-256. The server must be stopped
    /// (Stop-ArkServer), so that the world save is complete and consistent: a running, paused or restarting server is a
    /// non-terminating ServerNotStopped error (category InvalidOperation). With -Keep, older archives of the server in
    /// the destination are removed afterwards; they are named in the Pruned property.</para>
    /// <para>Restore an archive with Restore-ArkServer. Update-ArkImage -BackupVolumes and Update-ArkServer
    /// -BackupVolumes take the same backup during an update.</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <input type="ArkManager.Images.ServerInfo">Objects with a Name or Server property.</input>
    /// <output type="ArkManager.Images.BackupInfo">One per server: the archive, its size, the volumes in it and the
    /// archives pruned.</output>
    /// <note>Errors are per server: ServerNotFound (ObjectNotFound), ServerNotStopped (InvalidOperation, the
    /// recommended action names Stop-ArkServer), IOError (WriteError) when the destination cannot be written.</note>
    /// <parameter name="WhatIf">Shows which servers would be backed up and where; writes and removes
    /// nothing.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Stop-ArkServer -Name island; Backup-ArkServer -Name island -Destination /srv/ark-backups -Keep 7; Start-ArkServer -Name island</code>
    /// <para>Stops island, archives its volumes into /srv/ark-backups keeping the seven newest archives of it, and
    /// starts it again.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer | Where-Object State -ne 'running' | Backup-ArkServer -Destination ./backups -NoCompress</code>
    /// <para>Backs up every stopped server into ./backups as plain tar files.</para>
    /// </example>
    /// <example>
    /// <code>Backup-ArkServer -Name island -Destination D:\ArkBackups -WhatIf</code>
    /// <para>Shows what would be backed up; writes nothing.</para>
    /// </example>
    /// <seealso cref="RestoreArkServerCommand"/>
    /// <seealso cref="StopArkServerCommand"/>
    /// <seealso cref="UpdateArkImageCommand"/>
    [Cmdlet(VerbsData.Backup, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BackupInfo))]
    public sealed class BackupArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names; each server must be stopped. Accepts strings and objects with a Name or Server
        /// property. Literal names only (the command changes servers): a wildcard (*, ?, [ ]) is a non-terminating WildcardNotSupported error; select servers with Get-ArkServer -Name 'island*' | Backup-ArkServer.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>The directory the archives are written to; it is created when missing. Relative paths are relative
        /// to the current PowerShell location.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = string.Empty;

        /// <summary>Writes a plain tar archive instead of a gzipped one.</summary>
        [Parameter]
        public SwitchParameter NoCompress { get; set; }

        /// <summary>Keeps only the newest N archives of each server in the destination, removing the older ones.
        /// Default: 0, which keeps them all.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int Keep { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var destination = ResolvePath(Destination);
            var options = new BackupOptions { Compress = !NoCompress.IsPresent, Keep = Keep };
            foreach (var name in Name)
            {
                if (!ServerNames.IsLiteral(name, "Backup-ArkServer", out var wildcard))
                {
                    WriteError(wildcard!);
                    continue;
                }

                var action = $"Archive the volumes of the server into '{destination}'" +
                             (Keep > 0 ? $", then keep only its newest {Keep} archive{(Keep == 1 ? string.Empty : "s")} there" : string.Empty);
                if (ShouldProcess(name, action) &&
                    TryInvoke((m, ct) => m.BackupServerAsync(name, destination, options, ct), name, out var backup))
                {
                    WriteObject(backup);
                }
            }
        }
    }
}
