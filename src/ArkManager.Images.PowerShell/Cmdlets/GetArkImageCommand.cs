using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Describes local images: id, digest, tags, size, platform and labels.</summary>
    /// <remarks>
    /// <para>Outputs one ImageInfo per image that the Docker daemon has. An image that is not present is a
    /// non-terminating error with the ErrorId ImageNotFound (category ObjectNotFound) that names the command that pulls
    /// it. Looks locally only: nothing is pulled.</para>
    /// </remarks>
    /// <input type="System.String">Image references.</input>
    /// <input type="ArkManager.Images.ImageStatus, ArkManager.Images.ServerInfo">Objects with an Image or Reference
    /// property.</input>
    /// <output type="ArkManager.Images.ImageInfo">One per present image.</output>
    /// <example>
    /// <code>Get-ArkImage -Image 'tbro98/ase-server:latest'</code>
    /// <para>Describes the image.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer | Get-ArkImage</code>
    /// <para>Describes the images the servers were created from.</para>
    /// </example>
    /// <seealso cref="GetArkImageStatusCommand"/>
    /// <seealso cref="InstallArkImageCommand"/>
    [Cmdlet(VerbsCommon.Get, "ArkImage")]
    [OutputType(typeof(ImageInfo))]
    public sealed class GetArkImageCommand : ArkCmdlet
    {
        /// <summary>The image references. Accepts strings from the pipeline and objects with an Image or Reference
        /// property (ImageStatus, ImageInfo, ServerInfo). Default: the required images of the configuration.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string[]? Image { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var images = Image ?? Options.RequiredImages.ToArray();
            foreach (var image in images)
            {
                if (!ValidateReference(image) || !TryInvoke((m, ct) => m.GetImageInfoAsync(image, ct), image, out var info))
                {
                    continue;
                }

                if (info is null)
                {
                    var pull = "Install-ArkImage -Image '" + image + "'";
                    WriteError(ErrorRecords.Create(
                        "ImageNotFound",
                        ErrorCategory.ObjectNotFound,
                        image,
                        new ItemNotFoundException($"The image '{image}' is not present locally. Pull it with: {pull}"),
                        pull));
                    continue;
                }

                WriteObject(info);
            }
        }
    }
}
