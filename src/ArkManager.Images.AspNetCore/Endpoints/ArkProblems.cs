using System;
using System.Collections.Generic;
using Microsoft.AspNetCore.Http;

namespace ArkManager.Images.AspNetCore.Endpoints
{
    /// <summary>RFC 9457 Problem Details carrying the library's ErrorId (and the target when it names what the caller sent).</summary>
    internal static class ArkProblems
    {
        public static int StatusOf(string errorId) => errorId switch
        {
            "InvalidImageReference" or "ImageNotRequired" or "InvalidArgument" or "InvalidBackupArchive" or "BackupDoesNotFitServer" => StatusCodes.Status400BadRequest,
            "OwnerClaimMissing" => StatusCodes.Status403Forbidden,
            "ServerNotFound" or "ContainerNotFound" or "JobNotFound" => StatusCodes.Status404NotFound,
            "ServerLocked" or "NoRollbackTarget" or "ImageMissing" or "ServerAlreadyExists" or "ServerNotStopped" => StatusCodes.Status409Conflict,
            "RegistryError" or "RegistryAuthenticationFailed" or "RegistryUnreachable" or "ImagePullFailed" => StatusCodes.Status502BadGateway,
            "DockerUnavailable" or "UpdateHistoryUnavailable" => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        };

        public static IResult From(ArkManagerException exception) => Create(exception.ErrorId, exception.Message, exception.Target as string);

        public static IResult Create(string errorId, string detail, string? target = null)
        {
            var status = StatusOf(errorId);
            var extensions = new Dictionary<string, object?> { ["errorId"] = errorId };
            if (target is not null)
            {
                extensions["target"] = target;
            }

            return Results.Problem(detail: detail, statusCode: status, title: Title(status), type: "https://github.com/arkmanager/ArkManager.Images#" + errorId.ToLowerInvariant(), extensions: extensions);
        }

        public static IResult ServerNotFound(string name) =>
            Create("ServerNotFound", $"No ARK server named '{name}' exists.", name);

        public static IResult OwnerMissing() =>
            Create("OwnerClaimMissing", "The signed-in user has no owner claim, so there are no servers to show.");

        public static IResult InvalidImage(string? image, string? error) =>
            Create("InvalidImageReference", $"'{image}' is not a valid image reference: {error ?? "it is empty"}", image);

        public static IResult ImageNotRequired(string image) =>
            Create("ImageNotRequired", $"'{image}' is not one of the configured required images.", image);

        public static IResult JobNotFound(string id) => Create("JobNotFound", $"No job '{id}' exists.", id);

        private static string Title(int status) => status switch
        {
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            409 => "Conflict",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            _ => "Internal Server Error",
        };
    }
}
