using System;
using System.IO;
using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>Maps the library's exceptions to ErrorRecords (ErrorId, category, target) and decides which end the command.</summary>
    internal static class ErrorRecords
    {
        /// <summary>Builds the ErrorRecord of <paramref name="exception"/>; <paramref name="fallbackTarget"/> is used when the exception names none.</summary>
        public static ErrorRecord From(Exception exception, object? fallbackTarget = null)
        {
            if (exception is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
            {
                exception = aggregate.InnerExceptions[0];
            }

            string errorId;
            object? target = fallbackTarget;
            switch (exception)
            {
                case ArkManagerException ark:
                    errorId = ark.ErrorId;
                    target = ark.Target ?? fallbackTarget;
                    break;
                case OperationCanceledException _:
                    errorId = "OperationCanceled";
                    break;
                case TimeoutException _:
                    errorId = "OperationTimeout";
                    break;
                case FormatException _:
                case ArgumentException _:
                    errorId = "InvalidArgument";
                    break;
                case FileNotFoundException _:
                case DirectoryNotFoundException _:
                    errorId = "PathNotFound";
                    break;
                case InvalidDataException _:
                    errorId = "InvalidData";
                    break;
                case UnauthorizedAccessException _:
                    errorId = "PermissionDenied";
                    break;
                case IOException _:
                    errorId = "IOError";
                    break;
                case NotImplementedException _:
                case NotSupportedException _:
                    errorId = "NotImplemented";
                    break;
                default:
                    errorId = "UnexpectedError";
                    break;
            }

            var record = new ErrorRecord(exception, errorId, CategoryOf(exception), target);
            switch (exception)
            {
                case MissingImagesException missing:
                    record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = missing.PullCommand };
                    break;
                case ServerLockedException _:
                    record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = "Wait for the other run to finish, or pass -LockTimeout to wait for it." };
                    break;
                case ServerNotStoppedException notStopped:
                    record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = "Stop-ArkServer -Name '" + notStopped.Server + "'" };
                    break;
                case NoRollbackTargetException noTarget:
                    record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = "See the server's updates with: Get-ArkUpdateHistory -Name '" + noTarget.Server + "'" };
                    break;
            }

            return record;
        }

        /// <summary>An error this module raises itself (no library exception behind it).</summary>
        public static ErrorRecord Create(string errorId, ErrorCategory category, object? target, Exception exception, string? recommendedAction = null)
        {
            var record = new ErrorRecord(exception, errorId, category, target);
            if (recommendedAction != null)
            {
                record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = recommendedAction };
            }

            return record;
        }

        /// <summary>
        /// The non-terminating "no such server" record of a lookup that found nothing (or a server of another owner):
        /// ErrorId ServerNotFound, category ObjectNotFound, the name as the target, as the library reports it.
        /// </summary>
        public static ErrorRecord ServerNotFound(string name) => new ErrorRecord(
            new ItemNotFoundException($"No ARK server named '{name}' exists. List servers with Get-ArkServer."),
            "ServerNotFound",
            ErrorCategory.ObjectNotFound,
            name);

        /// <summary>
        /// The category of every ErrorId the library raises (an ImageUpdateException carries its cause's ErrorId, so the
        /// category follows the ErrorId, not the exception type). A new ErrorId belongs here: a Pester test checks that
        /// no library ErrorId ends up NotSpecified.
        /// </summary>
        internal static readonly System.Collections.Generic.IReadOnlyDictionary<string, ErrorCategory> Categories = new System.Collections.Generic.Dictionary<string, ErrorCategory>(StringComparer.Ordinal)
        {
            ["ArkManagerError"] = ErrorCategory.InvalidOperation,
            ["InvalidImageReference"] = ErrorCategory.InvalidArgument,
            ["InvalidConfiguration"] = ErrorCategory.InvalidData,
            ["DockerUnavailable"] = ErrorCategory.ConnectionError,
            ["DockerOperationFailed"] = ErrorCategory.InvalidOperation,
            ["ImageMissing"] = ErrorCategory.ObjectNotFound,
            ["ImagePullFailed"] = ErrorCategory.InvalidResult,
            ["ImageUpdateFailed"] = ErrorCategory.InvalidResult,
            ["RegistryError"] = ErrorCategory.InvalidResult,
            ["RegistryAuthenticationFailed"] = ErrorCategory.AuthenticationError,
            ["RegistryUnreachable"] = ErrorCategory.ConnectionError,
            ["ServerNotFound"] = ErrorCategory.ObjectNotFound,
            ["ServerAlreadyExists"] = ErrorCategory.ResourceExists,
            ["ContainerNotFound"] = ErrorCategory.ObjectNotFound,
            ["ServerLocked"] = ErrorCategory.ResourceBusy,
            ["UpdateRolledBack"] = ErrorCategory.InvalidResult,
            ["UpdateFailed"] = ErrorCategory.InvalidResult,
            ["NoRollbackTarget"] = ErrorCategory.ObjectNotFound,
            ["UpdateHistoryUnavailable"] = ErrorCategory.ReadError,
            ["ServerNotStopped"] = ErrorCategory.InvalidOperation,
            ["InvalidBackupArchive"] = ErrorCategory.InvalidData,
            ["BackupDoesNotFitServer"] = ErrorCategory.InvalidArgument,
            ["RconAuthenticationFailed"] = ErrorCategory.AuthenticationError,
            ["RconTimeout"] = ErrorCategory.OperationTimeout,
            ["RconUnavailable"] = ErrorCategory.ConnectionError,
            ["RconInvalidPassword"] = ErrorCategory.InvalidArgument,
            ["RconInvalidSettings"] = ErrorCategory.InvalidData,
            ["RegistryRateLimited"] = ErrorCategory.LimitsExceeded,
            ["RegistryCheckFailed"] = ErrorCategory.InvalidResult,
            ["ImageNotFoundInRegistry"] = ErrorCategory.ObjectNotFound,
            ["InvalidServerName"] = ErrorCategory.InvalidArgument,
            ["BackupWriteFailed"] = ErrorCategory.WriteError,
            ["ServerAlreadyRegistered"] = ErrorCategory.ResourceExists,
            ["CredentialHelperFailed"] = ErrorCategory.AuthenticationError,
            ["AmbiguousServerName"] = ErrorCategory.InvalidArgument,
            ["UnknownHost"] = ErrorCategory.ObjectNotFound,
            ["SwarmServiceRefused"] = ErrorCategory.InvalidOperation,
        };

        /// <summary>The category of an exception.</summary>
        public static ErrorCategory CategoryOf(Exception exception)
        {
            if (exception is ArkManagerException ark && !(exception is DockerOperationException) && Categories.TryGetValue(ark.ErrorId, out var known))
            {
                return known;
            }

            switch (exception)
            {
                case InvalidImageReferenceException _:
                    return ErrorCategory.InvalidArgument;
                case ArkConfigurationException _:
                    return ErrorCategory.InvalidData;
                case DockerUnavailableException _:
                    return ErrorCategory.ConnectionError;
                case MissingImagesException _:
                    return ErrorCategory.ObjectNotFound;
                case ImagePullException _:
                    return ErrorCategory.InvalidResult;
                case RegistryAuthenticationException _:
                    return ErrorCategory.AuthenticationError;
                case RegistryUnreachableException _:
                    return ErrorCategory.ConnectionError;
                case RegistryException _:
                    return ErrorCategory.InvalidResult;
                case ServerNotFoundException _:
                    return ErrorCategory.ObjectNotFound;
                case ServerAlreadyExistsException _:
                case ServerAlreadyRegisteredException _:
                    return ErrorCategory.ResourceExists;
                case ContainerNotFoundException _:
                    return ErrorCategory.ObjectNotFound;
                case ServerLockedException _:
                    return ErrorCategory.ResourceBusy;
                case ServerUpdateException _:
                    return ErrorCategory.InvalidResult;
                case NoRollbackTargetException _:
                    return ErrorCategory.ObjectNotFound;
                case ServerNotStoppedException _:
                    return ErrorCategory.InvalidOperation;
                case BackupArchiveException _:
                    return ErrorCategory.InvalidData;
                case BackupMismatchException _:
                    return ErrorCategory.InvalidArgument;
                case DockerOperationException docker:
                    return docker.StatusCode switch
                    {
                        404 => ErrorCategory.ObjectNotFound,
                        409 => ErrorCategory.ResourceBusy,
                        401 => ErrorCategory.AuthenticationError,
                        403 => ErrorCategory.PermissionDenied,
                        _ => ErrorCategory.InvalidOperation,
                    };
                case OperationCanceledException _:
                    return ErrorCategory.OperationStopped;
                case TimeoutException _:
                    return ErrorCategory.OperationTimeout;
                case FormatException _:
                case ArgumentException _:
                    return ErrorCategory.InvalidArgument;
                case NotImplementedException _:
                case NotSupportedException _:
                    return ErrorCategory.NotImplemented;
                case UnauthorizedAccessException _:
                    return ErrorCategory.PermissionDenied;
                case FileNotFoundException _:
                case DirectoryNotFoundException _:
                    return ErrorCategory.ObjectNotFound;
                case InvalidDataException _:
                    return ErrorCategory.InvalidData;
                case IOException _:
                    return ErrorCategory.WriteError;
                default:
                    return ErrorCategory.NotSpecified;
            }
        }

        /// <summary>
        /// True for failures of the whole command rather than of one item: a broken configuration or an unreachable
        /// daemon make every further item fail the same way.
        /// </summary>
        public static bool IsTerminating(Exception exception) =>
            exception is ArkConfigurationException || exception is DockerUnavailableException;
    }
}
