using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Shows whether each required image (or each given image) is present locally.</summary>
    /// <remarks>
    /// <para>Outputs one ImageStatus per image: the normalised reference, whether the Docker daemon has it, and its
    /// details (id, digest, size, creation time). Without -Image the required images of the configuration are
    /// described. Looks locally only: nothing is pulled.</para>
    /// <para>With -CheckForUpdates each image's registry is also asked (one manifest HEAD request, never a pull)
    /// whether it has a newer image; the answer is in the Update property.</para>
    /// </remarks>
    /// <input type="System.String">Image references, by the property name Image or Reference.</input>
    /// <output type="ArkManager.Images.ImageStatus">One per image.</output>
    /// <example>
    /// <code>Get-ArkImageStatus</code>
    /// <para>Shows whether the required images of the configuration are present.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkImageStatus -CheckForUpdates | Where-Object { $_.Update.UpdateAvailable }</code>
    /// <para>Lists the required images for which the registry has a newer image.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkImageStatus -Image 'tbro98/ase-server:latest' -DockerHost unix:///var/run/docker.sock</code>
    /// <para>Describes one image on a given Docker endpoint.</para>
    /// </example>
    /// <seealso cref="GetArkImageCommand"/>
    /// <seealso cref="TestArkRequiredImageCommand"/>
    /// <seealso cref="TestArkImageUpdateCommand"/>
    /// <seealso cref="InstallArkImageCommand"/>
    [Cmdlet(VerbsCommon.Get, "ArkImageStatus")]
    [OutputType(typeof(ImageStatus))]
    public sealed class GetArkImageStatusCommand : ArkCmdlet
    {
        /// <summary>The image references to describe, e.g. tbro98/ase-server:latest. Default: the required images of
        /// the configuration.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string[]? Image { get; set; }

        /// <summary>Also asks the registry whether a newer image exists and fills the Update property. Never
        /// pulls.</summary>
        [Parameter]
        public SwitchParameter CheckForUpdates { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (Image is null)
            {
                if (!TryInvoke((m, ct) => m.GetImageStatusAsync(ct), null, out var statuses))
                {
                    return;
                }

                IReadOnlyDictionary<string, ImageUpdateCheck>? checks = null;
                if (CheckForUpdates.IsPresent && !TryInvoke((m, ct) => m.CheckImageUpdatesAsync(ct), null, out checks))
                {
                    checks = null;
                }

                foreach (var status in statuses)
                {
                    WriteObject(checks is null ? status : status with { Update = Find(checks, status.Image) });
                }

                return;
            }

            foreach (var image in Image)
            {
                if (!ValidateReference(image) || !TryInvoke((m, ct) => m.GetImageInfoAsync(image, ct), image, out var info))
                {
                    continue;
                }

                var status = new ImageStatus { Image = info?.Reference ?? ImageReference.Parse(image).ToString(), Present = info != null, Info = info };
                if (CheckForUpdates.IsPresent && TryInvoke((m, ct) => m.CheckImageUpdateAsync(image, ct), image, out var check))
                {
                    status = status with { Update = check };
                }

                WriteObject(status);
            }
        }

        private static ImageUpdateCheck? Find(IReadOnlyDictionary<string, ImageUpdateCheck> checks, string image)
        {
            if (checks.TryGetValue(image, out var check))
            {
                return check;
            }

            return checks.Values.FirstOrDefault(c => string.Equals(c.Image, image, StringComparison.OrdinalIgnoreCase))
                ?? checks.FirstOrDefault(kv => string.Equals(kv.Key, image, StringComparison.OrdinalIgnoreCase)).Value;
        }
    }
}
