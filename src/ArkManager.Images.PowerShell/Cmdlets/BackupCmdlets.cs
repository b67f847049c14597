using System;
using System.IO;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Archives every volume of stopped ARK servers (tar, gzip by default) with a manifest, and optionally prunes older archives.</para>
    /// </summary>
    [Cmdlet(VerbsData.Backup, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BackupInfo))]
    public sealed class BackupArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names; each server must be stopped.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>The directory the archives are written to (created when missing).</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = string.Empty;

        /// <summary>Writes a plain tar instead of a gzipped one.</summary>
        [Parameter]
        public SwitchParameter NoCompress { get; set; }

        /// <summary>Keeps only the newest N archives of each server in the destination (0, the default: keeps all).</summary>
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

    /// <summary>
    /// <para type="synopsis">Restores a backup made by Backup-ArkServer into a stopped ARK server, replacing the contents of its volumes.</para>
    /// </summary>
    [Cmdlet(VerbsData.Restore, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(BackupInfo))]
    public sealed class RestoreArkServerCommand : ArkCmdlet
    {
        /// <summary>The server name; the server must be stopped.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>The backup archive.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
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
