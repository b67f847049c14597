using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// The error of an update, recreate or rollback that did not leave its server(s) on the intended image: its
    /// message, its ErrorRecord (with the recommended action), and which outcomes count as success.
    /// </summary>
    internal static class UpdateFailureRecords
    {
        /// <summary>
        /// The terminating ErrorRecord: the ErrorId is the exception's (UpdateRolledBack or UpdateFailed), the category
        /// InvalidResult, and the target object <paramref name="result"/>. The exception's Result is the failing server's.
        /// </summary>
        public static ErrorRecord Create(object result, ServerUpdateException exception)
        {
            var failed = exception.Result;
            return new ErrorRecord(exception, exception.ErrorId, ErrorCategory.InvalidResult, result)
            {
                ErrorDetails = new ErrorDetails(exception.Message)
                {
                    RecommendedAction = failed.Outcome == UpdateOutcome.RolledBack
                        ? "The server runs its previous container again. See why with: Get-ArkUpdateHistory -Name '" + failed.Server + "' -Last 1"
                        : "Check the server with: Get-ArkServer -Name '" + failed.Server + "'; see the steps with: Get-ArkUpdateHistory -Name '" + failed.Server + "' -Last 1",
                },
            };
        }

        /// <summary>The message of a server update that rolled back or failed, after <paramref name="context"/> ("Updating image 'x'").</summary>
        public static string Describe(string context, ServerUpdateResult failed)
        {
            var reason = string.IsNullOrEmpty(failed.Error) ? string.Empty : ": " + failed.Error!.Trim().TrimEnd('.');
            return failed.Outcome == UpdateOutcome.RolledBack
                ? $"{context}: the new container of server '{failed.Server}' failed and was rolled back{reason}. The server runs its previous container again."
                : $"{context}: server '{failed.Server}' failed and could not be rolled back completely{reason}. Check the server before anything else.";
        }

        /// <summary>True for the outcomes that leave a server where it was meant to be.</summary>
        public static bool IsSuccess(UpdateOutcome outcome) =>
            outcome != UpdateOutcome.RolledBack && outcome != UpdateOutcome.Failed;
    }
}
