using System.Globalization;
using System.Linq;
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
    /// <para>The removal cannot be undone: the command first asks the daemon which images the rule would remove (the
    /// library's dry run), then asks for confirmation naming each of them (its impact is High) unless -Confirm:$false
    /// is given. -WhatIf lists the images that would be removed and removes nothing. When no image would be removed it
    /// says so, asks nothing and outputs the result (IsPlan true, Removed empty).</para>
    /// </remarks>
    /// <input type="System.String">Image references.</input>
    /// <input type="ArkManager.Images.ImageUpdateResult">Objects with an Image or Reference property.</input>
    /// <output type="ArkManager.Images.ImageCleanupResult">The repository, the images removed and the images kept with
    /// the reason.</output>
    /// <note>A removal the daemon refuses is a DockerOperationFailed error.</note>
    /// <parameter name="WhatIf">Lists the images that would be removed (id and tags) and how many are kept; removes
    /// nothing. The daemon is asked (a missing daemon is DockerUnavailable).</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each repository, naming the images (the default: the impact is High).
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
    /// <para>Lists the images that would be removed (every unused image that is no rollback target); removes nothing.</para>
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
            if (!TryInvoke((m, ct) => m.PlanRemoveOldImagesAsync(Image, KeepLatest, ct), Image, out var plan))
            {
                return;
            }

            if (plan.Removed.Count == 0)
            {
                WriteInformation(new HostInformationMessage
                {
                    Message = string.Format(CultureInfo.InvariantCulture, "Nothing to remove from '{0}': its {1} local image(s) are kept (see Kept).", repository, plan.Kept.Count),
                }, new[] { "PSHOST" });
                WriteObject(plan);
                return;
            }

            var images = string.Join(", ", plan.Removed.Select(Describe));
            var rule = string.Format(CultureInfo.InvariantCulture, "the newest {0}, every image a container uses and every rollback target are kept", KeepLatest);
            var description = string.Format(CultureInfo.InvariantCulture, "Removing {0} local image(s) of '{1}' ({2}; {3} kept): {4}.", plan.Removed.Count, repository, rule, plan.Kept.Count, images);
            var question = string.Format(CultureInfo.InvariantCulture, "Remove {0} local image(s) of '{1}': {2}? {3} kept ({4}). This cannot be undone.", plan.Removed.Count, repository, images, plan.Kept.Count, rule);
            if (ShouldProcess(description, question, "Remove-ArkImage") && TryInvoke((m, ct) => m.RemoveOldImagesAsync(Image, KeepLatest, ct), Image, out var result))
            {
                WriteObject(result);
            }
        }

        private static string Describe(ImageCleanupEntry image)
        {
            var id = image.Id.StartsWith("sha256:", System.StringComparison.Ordinal) ? image.Id.Substring(7) : image.Id;
            var shortId = id.Length > 12 ? id.Substring(0, 12) : id;
            return shortId + " (" + (image.Tags.Count == 0 ? "untagged" : string.Join(" ", image.Tags)) + ")";
        }
    }
}
