using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Shows whether each required image (or each given image) is present locally.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ArkImageStatus")]
    [OutputType(typeof(ImageStatus))]
    public sealed class GetArkImageStatusCommand : ArkCmdlet
    {
        /// <summary>The images to describe; default: the required images of the configuration.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        public string[]? Image { get; set; }

        /// <summary>Also asks each image's registry whether a newer image exists (never pulls). Fills the Update property.</summary>
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

    /// <summary>
    /// <para type="synopsis">Describes local images (id, digest, size, labels). Looks locally only.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ArkImage")]
    [OutputType(typeof(ImageInfo))]
    public sealed class GetArkImageCommand : ArkCmdlet
    {
        /// <summary>The image references; default: the required images of the configuration.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
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

    /// <summary>
    /// <para type="synopsis">Lists the required images that are missing locally (nothing when all are present). Never pulls.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "ArkRequiredImage")]
    [OutputType(typeof(string), typeof(bool))]
    public sealed class TestArkRequiredImageCommand : ArkCmdlet
    {
        /// <summary>Outputs a single boolean instead: true when every required image is present.</summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (!TryInvoke((m, ct) => m.ValidateRequiredImagesAsync(ct), null, out var missing))
            {
                return;
            }

            if (Quiet.IsPresent)
            {
                WriteObject(missing.Count == 0);
                return;
            }

            foreach (var image in missing)
            {
                WriteObject(image);
            }
        }
    }

    /// <summary>
    /// <para type="synopsis">Pulls images (only because you ask), showing the progress of each layer, and outputs the pulled images.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Install, "ArkImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ImageInfo))]
    public sealed class InstallArkImageCommand : ArkCmdlet
    {
        /// <summary>The image references to pull.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        public string[] Image { get; set; } = Array.Empty<string>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (var image in Image)
            {
                if (!ValidateReference(image) || !ShouldProcess(image, "Pull image from its registry"))
                {
                    continue;
                }

                var writer = new PullProgressWriter(image, WriteProgress);
                var progress = new PumpedProgress<PullProgress>(Post, writer.Report);
                try
                {
                    if (TryInvoke((m, ct) => m.PullImageAsync(image, progress, ct), image, out var info))
                    {
                        progress.Close();
                        writer.Complete();
                        WriteObject(info);
                    }
                }
                finally
                {
                    progress.Close();
                    CompleteQuietly(writer);
                }
            }
        }

        private void CompleteQuietly(PullProgressWriter writer)
        {
            try
            {
                writer.Complete();
            }
            catch (PipelineStoppedException)
            {
                // Ctrl+C: the host clears progress itself.
            }
        }
    }

    /// <summary>
    /// <para type="synopsis">Asks the registry whether a newer image exists for each required (or given) image. Never pulls.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "ArkImageUpdate")]
    [OutputType(typeof(ImageUpdateCheck))]
    public sealed class TestArkImageUpdateCommand : ArkCmdlet
    {
        /// <summary>The image references; default: every required image (checked concurrently).</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        public string[]? Image { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (Image is null)
            {
                if (TryInvoke((m, ct) => m.CheckImageUpdatesAsync(ct), null, out var checks))
                {
                    foreach (var check in checks.Values)
                    {
                        WriteObject(check);
                    }
                }

                return;
            }

            foreach (var image in Image)
            {
                if (ValidateReference(image) && TryInvoke((m, ct) => m.CheckImageUpdateAsync(image, ct), image, out var check))
                {
                    WriteObject(check);
                }
            }
        }
    }
}
