using System;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Shows the update history: every update, recreate and rollback of the servers, with the images before
    /// and after, the outcome and the steps.</summary>
    /// <remarks>
    /// <para>Outputs one UpdateHistoryRecord per server and operation (Kind Update, Recreate, Rollback or Recovery),
    /// oldest first: the image ids and digests before and after, the containers before and after, the outcome (Updated,
    /// RolledBack, Failed, ...), the error, the steps with their timings and the backup archive. The history is kept in
    /// the state directory (stateDirectory of the configuration). Reads only; the Docker daemon is not
    /// contacted.</para>
    /// </remarks>
    /// <input type="ArkManager.Images.ServerInfo">Objects with a Name or Server property.</input>
    /// <output type="ArkManager.Images.UpdateHistoryRecord">One per update, recreate or rollback of a server, oldest
    /// first.</output>
    /// <example>
    /// <code>Get-ArkUpdateHistory -Name island</code>
    /// <para>Shows every update and rollback of the server island.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkUpdateHistory -Name 'island*' -Last 5</code>
    /// <para>Shows the five newest records of the servers whose name starts with island.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkUpdateHistory -Since (Get-Date).AddDays(-7) | Where-Object Outcome -ne 'Updated'</code>
    /// <para>Shows the updates of the last week that were rolled back or failed.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkUpdateHistory -Image 'tbro98/ase-server:latest' -Last 1 | Select-Object -ExpandProperty Steps</code>
    /// <para>Shows the steps, with their timings, of the newest update of a server on the image.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer -Owner alice | Get-ArkUpdateHistory -Last 3</code>
    /// <para>Shows the three newest records of each server of the owner alice.</para>
    /// </example>
    /// <seealso cref="UpdateArkImageCommand"/>
    /// <seealso cref="UpdateArkServerCommand"/>
    /// <seealso cref="UndoArkImageUpdateCommand"/>
    [Cmdlet(VerbsCommon.Get, "ArkUpdateHistory")]
    [OutputType(typeof(UpdateHistoryRecord))]
    public sealed class GetArkUpdateHistoryCommand : ArkCmdlet
    {
        /// <summary>Only the records of this server; wildcards are allowed (island*: every server whose name starts with
        /// island; a pattern that matches nothing outputs nothing). Accepts objects with a Name or Server property from
        /// the pipeline (ServerInfo, ServerUpdateResult).</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [Alias("Server")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string? Name { get; set; }

        /// <summary>Only the records of this image reference, e.g. tbro98/ase-server:latest.</summary>
        [Parameter]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string? Image { get; set; }

        /// <summary>Only the records that started at or after this time, e.g. (Get-Date).AddDays(-7).</summary>
        [Parameter]
        public DateTime? Since { get; set; }

        /// <summary>Only the newest N records (after the other filters).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Last { get; set; }

        /// <summary>Only the records of this owner's servers.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (Image != null && !ValidateReference(Image))
            {
                return;
            }

            // Wildcards: the library filters by the exact name, so a pattern reads every server's records and keeps
            // the matching ones; -Last then applies to what is kept.
            var pattern = Name != null && WildcardPattern.ContainsWildcardCharacters(Name)
                ? new WildcardPattern(Name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant)
                : null;
            var filter = new UpdateHistoryFilter
            {
                Server = pattern is null ? Name : null,
                Image = Image,
                Since = Since is DateTime since ? new DateTimeOffset(since) : (DateTimeOffset?)null,
                Last = pattern is null ? Last : null,
                Owner = Owner,
            };
            if (TryInvoke((m, ct) => m.GetUpdateHistoryAsync(filter, ct), (object?)Name ?? Image, out var records))
            {
                if (pattern != null)
                {
                    var matching = records.Where(r => pattern.IsMatch(r.Server)).ToList();
                    WriteObject(Last is int last ? matching.Skip(Math.Max(0, matching.Count - last)) : matching, enumerateCollection: true);
                    return;
                }

                WriteObject(records, enumerateCollection: true);
            }
        }
    }
}
