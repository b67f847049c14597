using System.IO;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Restores a backup made by Backup-ArkServer into a stopped ARK server, replacing the contents of its
    /// volumes.</summary>
    /// <remarks>
    /// <para>Writes the volumes in the archive back into the server's volumes and bind mounts (matched by their mount
    /// point), replacing what they contain: the world save returns to the state it had at backup time. Files that are
    /// not in the backup are removed (ExtraEntriesRemoved), except names directly in a volume's root directory, which
    /// are left in place (ExtraEntriesKept). The server must be stopped. The archive is checked against its manifest
    /// before anything is written, and entries that would escape a mount are refused.</para>
    /// <para>The restore overwrites the current save data: the command asks for confirmation (its impact is High)
    /// unless -Confirm:$false is given. Take a backup first with Backup-ArkServer when the current data may still be
    /// needed.</para>
    /// </remarks>
    /// <input type="ArkManager.Images.BackupInfo">A backup from Backup-ArkServer: its Server and Path properties bind
    /// to -Name and -Path.</input>
    /// <output type="ArkManager.Images.BackupInfo">The manifest of the restored archive.</output>
    /// <note>Errors: PathNotFound (ObjectNotFound) when the archive does not exist, ServerNotFound (ObjectNotFound),
    /// ServerNotStopped (InvalidOperation), InvalidBackupArchive (InvalidData: damaged, incomplete or unsafe archive;
    /// nothing was written), BackupDoesNotFitServer (InvalidArgument: a volume of the backup is not mounted in the
    /// server, or is read-only).</note>
    /// <parameter name="WhatIf">Shows which server would be restored from which archive; changes nothing and contacts
    /// nothing.</parameter>
    /// <parameter name="Confirm">Asks for confirmation (the default: the impact is High). -Confirm:$false never asks,
    /// whatever $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Stop-ArkServer -Name island; Restore-ArkServer -Name island -Path /srv/ark-backups/island-20240102-030405-0123456789ab.tar.gz; Start-ArkServer -Name island</code>
    /// <para>Asks for confirmation, then restores island from an archive and starts it again.</para>
    /// </example>
    /// <example>
    /// <code>
    /// $backup = Backup-ArkServer -Name island -Destination ./backups
    /// # ... later ...
    /// $backup | Restore-ArkServer -Confirm:$false
    /// </code>
    /// <para>Restores the backup taken earlier, without asking: the BackupInfo names the server and the archive.</para>
    /// </example>
    /// <example>
    /// <code>Get-ChildItem /srv/ark-backups/island-*.tar.gz | Sort-Object LastWriteTime | Select-Object -Last 1 | Restore-ArkServer -Name island -WhatIf</code>
    /// <para>Shows which archive would be restored (the newest); changes nothing.</para>
    /// </example>
    /// <seealso cref="BackupArkServerCommand"/>
    /// <seealso cref="StopArkServerCommand"/>
    /// <seealso cref="StartArkServerCommand"/>
    [Cmdlet(VerbsData.Restore, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(BackupInfo))]
    public sealed class RestoreArkServerCommand : ArkCmdlet
    {
        /// <summary>The server name; the server must be stopped. Accepts objects with a Name or Server property (a
        /// BackupInfo names its server). Literal names only (the command changes servers): a wildcard (*, ?, [ ]) is a non-terminating WildcardNotSupported error; select servers with Get-ArkServer -Name 'island*' | Restore-ArkServer.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>The backup archive (.tar or .tar.gz made by Backup-ArkServer). Relative paths are relative to the
        /// current PowerShell location. Accepts the Path of a BackupInfo or the FullName of a file from the
        /// pipeline.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (!ServerNames.IsLiteral(Name, "Restore-ArkServer", out var wildcard))
            {
                WriteError(wildcard!);
                return;
            }

            var path = ResolvePath(Path);
            if (!File.Exists(path))
            {
                WriteError(ErrorRecords.Create(
                    "PathNotFound",
                    ErrorCategory.ObjectNotFound,
                    Path,
                    new FileNotFoundException($"The backup archive '{path}' does not exist.", path)));
                return;
            }

            if (ShouldProcess(Name, $"Replace the contents of the server's volumes with the backup '{path}'") &&
                TryInvoke((m, ct) => m.RestoreServerAsync(Name, path, ct), Name, out var backup))
            {
                WriteObject(backup);
            }
        }
    }
}
