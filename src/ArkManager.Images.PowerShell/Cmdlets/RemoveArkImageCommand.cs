using System.Globalization;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Removes older images of an image's repository, keeping the newest ones, every image a container uses
    /// and every rollback target.</summary>
    /// <remarks>
    /// <para>Considers the local images of the repository of -Image (every tag of it) and removes all but the newest
    /// -KeepLatest, except the images a container (running or not) uses and the images Undo-ArkImageUpdate could return
    /// a server to. Containers and volumes are never removed. Outputs what was removed and what was kept, with the
    /// reason.</para>
    /// <para>The removal cannot be undone: the command asks for confirmation (its impact is High) unless
    /// -Confirm:$false is given. -WhatIf tells which repository would be considered and removes nothing.</para>
    /// </remarks>
    /// <input type="System.String">Image references.</input>
    /// <input type="ArkManager.Images.ImageUpdateResult">Objects with an Image or Reference property.</input>
    /// <output type="ArkManager.Images.ImageCleanupResult">The repository, the images removed and the images kept with
    /// the reason.</output>
    /// <note>A removal the daemon refuses is a DockerOperationFailed error.</note>
    /// <parameter name="WhatIf">Tells which repository would be cleaned up and by which rule; removes nothing and
    /// contacts nothing.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each repository (the default: the impact is High).
    /// -Confirm:$false never asks, whatever $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Remove-ArkImage -Image 'tbro98/ase-server:latest'</code>
    /// <para>Asks for confirmation, then removes the older images of tbro98/ase-server that no container uses and no
    /// rollback needs, keeping the newest.</para>
    /// </example>
    /// <example>
    /// <code>Update-ArkImage -Image 'tbro98/ase-server:latest' -Confirm:$false | Remove-ArkImage -KeepLatest 2 -Confirm:$false</code>
    /// <para>Updates, then cleans up without asking, keeping the two newest images.</para>
    /// </example>
    /// <example>
    /// <code>Remove-ArkImage -Image 'tbro98/ase-server:latest' -KeepLatest 0 -WhatIf</code>
    /// <para>Tells what would be considered; removes nothing.</para>
    /// </example>
    /// <seealso cref="UpdateArkImageCommand"/>
    /// <seealso cref="UndoArkImageUpdateCommand"/>
    /// <seealso cref="GetArkImageCommand"/>
    [Cmdlet(VerbsCommon.Remove, "ArkImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ImageCleanupResult))]
    public sealed class RemoveArkImageCommand : ArkCmdlet
    {
        /// <summary>An image reference, e.g. tbro98/ase-server:latest: its repository's older images are removed.
        /// Accepts strings and objects with an Image or Reference property.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string Image { get; set; } = string.Empty;

        /// <summary>How many of the newest images of the repository to keep, besides the images in use and the rollback
        /// targets. 0 keeps only those. Default: 1.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int KeepLatest { get; set; } = 1;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (!ValidateReference(Image))
            {
                return;
            }

            var repository = ImageReference.Parse(Image).FamiliarRepository;
            var action = string.Format(
                CultureInfo.InvariantCulture,
                "Remove the local images of the repository '{0}' except the newest {1}, every image a container uses and every rollback target (volumes and containers are not touched)",
                repository,
                KeepLatest);
            if (ShouldProcess(Image, action) && TryInvoke((m, ct) => m.RemoveOldImagesAsync(Image, KeepLatest, ct), Image, out var result))
            {
                WriteObject(result);
            }
        }
    }
}
