using System;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
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
}
