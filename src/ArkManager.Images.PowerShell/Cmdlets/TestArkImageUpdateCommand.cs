using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
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
