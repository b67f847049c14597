using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Cmdlets
{
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
}
