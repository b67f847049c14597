using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// The terminating ErrorRecord of an update, recreate or rollback that did not succeed: the library judges the
    /// result and composes the exception (<c>result.ToException()</c>); this only adds PowerShell's presentation
    /// (category, target object, recommended action).
    /// </summary>
    internal static class UpdateFailureRecords
    {
        /// <summary>
        /// The ErrorRecord of <paramref name="exception"/> (the library's <c>ToException()</c> of
        /// <paramref name="result"/>): the ErrorId is the exception's (UpdateRolledBack, UpdateFailed,
        /// RegistryUnreachable, ImagePullFailed, ...), the target object <paramref name="result"/>.
        /// </summary>
        public static ErrorRecord Create(object result, ArkManagerException exception)
        {
            return new ErrorRecord(exception, exception.ErrorId, CategoryOf(exception), result)
            {
                ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = RecommendedAction(exception) },
            };
        }

        private static ErrorCategory CategoryOf(ArkManagerException exception)
        {
            if (exception is ServerUpdateException)
            {
                return ErrorCategory.InvalidResult;
            }

            return exception.ErrorId switch
            {
                "RegistryUnreachable" => ErrorCategory.ConnectionError,
                "RegistryAuthenticationFailed" => ErrorCategory.AuthenticationError,
                "ServerLocked" => ErrorCategory.ResourceBusy,
                _ => ErrorCategory.InvalidResult,
            };
        }

        private static string? RecommendedAction(ArkManagerException exception)
        {
            if (exception is ServerUpdateException update)
            {
                var server = update.Result.Server;
                return update.Result.Outcome == UpdateOutcome.RolledBack
                    ? "The server runs its previous container again. See why with: Get-ArkUpdateHistory -Name '" + server + "' -Last 1"
                    : "Check the server with: Get-ArkServer -Name '" + server + "'; see the steps with: Get-ArkUpdateHistory -Name '" + server + "' -Last 1";
            }

            return exception.ErrorId switch
            {
                "RegistryUnreachable" => "No server was touched. Check the registry, or run again with -Offline to recreate the servers on the newest local image.",
                "RegistryAuthenticationFailed" => "No server was touched. Check the registry credentials (docker login).",
                "ServerLocked" => "Wait for the other run to finish, or pass -LockTimeout to wait for it.",
                _ => null,
            };
        }
    }
}
