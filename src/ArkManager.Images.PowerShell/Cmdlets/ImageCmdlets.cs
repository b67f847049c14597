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

    /// <summary>Lists the required images that are missing locally. Never pulls.</summary>
    /// <remarks>
    /// <para>Outputs the reference of every required image (see the requiredImages of the configuration) that the
    /// Docker daemon does not have; nothing when all are present. With -Quiet outputs a single boolean: $true when
    /// every required image is present.</para>
    /// </remarks>
    /// <input type="None">This command takes no pipeline input.</input>
    /// <output type="System.String">The missing references.</output>
    /// <output type="System.Boolean">With -Quiet.</output>
    /// <example>
    /// <code>if (-not (Test-ArkRequiredImage -Quiet)) { Test-ArkRequiredImage | Install-ArkImage }</code>
    /// <para>Pulls the missing required images, and only those.</para>
    /// </example>
    /// <seealso cref="InstallArkImageCommand"/>
    /// <seealso cref="GetArkImageStatusCommand"/>
    [Cmdlet(VerbsDiagnostic.Test, "ArkRequiredImage")]
    [OutputType(typeof(string), typeof(bool))]
    public sealed class TestArkRequiredImageCommand : ArkCmdlet
    {
        /// <summary>Outputs $true when every required image is present, else $false.</summary>
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

    /// <summary>Pulls images because you ask, with per-layer progress, and outputs the pulled images.</summary>
    /// <remarks>
    /// <para>Pulls each image from its registry (credentials come from the Docker CLI configuration) and outputs its
    /// ImageInfo. Progress shows one record for the image and one child record per layer. This is the only command that
    /// downloads anything: every other command refuses to pull and names this one instead.</para>
    /// <para>A failed pull is a non-terminating error (ErrorId ImagePullFailed) so the other images of the pipeline are
    /// still pulled; use -ErrorAction Stop to stop at the first failure.</para>
    /// </remarks>
    /// <input type="System.String">Image references.</input>
    /// <input type="ArkManager.Images.ImageStatus">Objects with an Image or Reference property.</input>
    /// <output type="ArkManager.Images.ImageInfo">One per pulled image.</output>
    /// <parameter name="WhatIf">Shows what would happen without doing it. Nothing is contacted, pulled, created,
    /// started or stopped.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Install-ArkImage -Image 'tbro98/ase-server:latest'</code>
    /// <para>Pulls the image.</para>
    /// </example>
    /// <example>
    /// <code>Test-ArkRequiredImage | Install-ArkImage -Confirm:$false</code>
    /// <para>Pulls the missing required images without asking.</para>
    /// </example>
    /// <example>
    /// <code>Install-ArkImage -Image 'tbro98/ase-server:latest' -WhatIf</code>
    /// <para>Shows what would be pulled; pulls nothing.</para>
    /// </example>
    /// <seealso cref="TestArkRequiredImageCommand"/>
    /// <seealso cref="GetArkImageCommand"/>
    [Cmdlet(VerbsLifecycle.Install, "ArkImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ImageInfo))]
    public sealed class InstallArkImageCommand : ArkCmdlet
    {
        /// <summary>The image references to pull. Accepts strings and objects with an Image or Reference
        /// property.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
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

    /// <summary>Asks the registry whether a newer image exists for each required (or given) image. Never
    /// pulls.</summary>
    /// <remarks>
    /// <para>Compares the digest of the local image with the digest the registry has for its tag (one manifest HEAD
    /// request per image). The State is UpToDate, UpdateAvailable, NotPresentLocally, NoLocalDigest,
    /// NotFoundInRegistry, RegistryUnreachable, AuthenticationFailed or Error; UpdateAvailable is $true only when both
    /// digests are known and differ. Without -Image every required image is checked, concurrently; one failing registry
    /// does not hide the others.</para>
    /// </remarks>
    /// <input type="ArkManager.Images.ImageStatus, ArkManager.Images.ImageInfo">Objects with an Image or Reference
    /// property.</input>
    /// <output type="ArkManager.Images.ImageUpdateCheck">One per image.</output>
    /// <example>
    /// <code>Test-ArkImageUpdate</code>
    /// <para>Checks every required image.</para>
    /// </example>
    /// <example>
    /// <code>Test-ArkImageUpdate | Where-Object UpdateAvailable | Install-ArkImage</code>
    /// <para>Pulls the images for which the registry has a newer image.</para>
    /// </example>
    /// <example>
    /// <code>Test-ArkImageUpdate -Notify</code>
    /// <para>Checks every required image and announces each available update to the webhooks of the configuration
    /// (for a scheduled task; an update is announced once per new digest).</para>
    /// </example>
    /// <seealso cref="GetArkImageStatusCommand"/>
    /// <seealso cref="InstallArkImageCommand"/>
    [Cmdlet(VerbsDiagnostic.Test, "ArkImageUpdate")]
    [OutputType(typeof(ImageUpdateCheck))]
    public sealed class TestArkImageUpdateCommand : ArkCmdlet
    {
        /// <summary>The image references to check. Default: the required images of the configuration.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string[]? Image { get; set; }

        /// <summary>Announces each available update to the webhooks of the configuration (once per new digest). A
        /// failed notification is a warning and never fails the check.</summary>
        [Parameter]
        public SwitchParameter Notify { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (Image is null)
            {
                if (TryInvoke((m, ct) => m.CheckImageUpdatesAsync(Notify.IsPresent, ct), null, out var checks))
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
                if (ValidateReference(image) && TryInvoke((m, ct) => m.CheckImageUpdateAsync(image, Notify.IsPresent, ct), image, out var check))
                {
                    WriteObject(check);
                }
            }
        }
    }
}
