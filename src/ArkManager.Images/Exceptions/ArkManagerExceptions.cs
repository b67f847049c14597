using System;
using System.Collections.Generic;
using System.Linq;

namespace ArkManager.Images
{
    /// <summary>Base class of every error the library raises on purpose. <see cref="ErrorId"/> is stable and suited to scripts.</summary>
    public class ArkManagerException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public ArkManagerException(string message, Exception? innerException = null)
            : base(message, innerException)
        {
        }

        /// <summary>A stable identifier of the kind of failure (used as the PowerShell ErrorId).</summary>
        public virtual string ErrorId => "ArkManagerError";

        /// <summary>The object the failure is about (an image reference, a server name, a file), when there is one.</summary>
        public virtual object? Target => null;
    }

    /// <summary>An image reference could not be parsed. Raised before any I/O.</summary>
    public sealed class InvalidImageReferenceException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public InvalidImageReferenceException(string reference, string reason)
            : base($"'{reference}' is not a valid image reference: {reason}.")
        {
            Reference = reference;
            Reason = reason;
        }

        /// <summary>The text that was given.</summary>
        public string Reference { get; }

        /// <summary>Why it was refused.</summary>
        public string Reason { get; }

        /// <inheritdoc />
        public override string ErrorId => "InvalidImageReference";

        /// <inheritdoc />
        public override object? Target => Reference;
    }

    /// <summary>A configuration file could not be read or contains an invalid value.</summary>
    public sealed class ArkConfigurationException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public ArkConfigurationException(string filePath, int? lineNumber, string problem, Exception? innerException = null)
            : base(lineNumber is int line
                    ? $"Configuration file '{filePath}', line {line}: {problem}"
                    : $"Configuration file '{filePath}': {problem}", innerException)
        {
            FilePath = filePath;
            LineNumber = lineNumber;
            Problem = problem;
        }

        /// <summary>The file that was read.</summary>
        public string FilePath { get; }

        /// <summary>The 1-based line of the problem, when known.</summary>
        public int? LineNumber { get; }

        /// <summary>What is wrong.</summary>
        public string Problem { get; }

        /// <inheritdoc />
        public override string ErrorId => "InvalidConfiguration";

        /// <inheritdoc />
        public override object? Target => FilePath;
    }

    /// <summary>The Docker daemon could not be reached or answered in a way the library cannot use.</summary>
    public sealed class DockerUnavailableException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public DockerUnavailableException(string endpoint, string problem, Exception? innerException = null)
            : base($"The Docker daemon at '{endpoint}' is not available: {problem}. Check that Docker is running and that -DockerHost / DOCKER_HOST points at it.", innerException)
        {
            Endpoint = endpoint;
        }

        /// <summary>The endpoint that was tried.</summary>
        public string Endpoint { get; }

        /// <inheritdoc />
        public override string ErrorId => "DockerUnavailable";

        /// <inheritdoc />
        public override object? Target => Endpoint;
    }

    /// <summary>The Docker daemon refused or failed an operation.</summary>
    public sealed class DockerOperationException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public DockerOperationException(string operation, string target, int? statusCode, string daemonMessage, Exception? innerException = null)
            : base($"{operation} '{target}' failed: {daemonMessage}", innerException)
        {
            Operation = operation;
            TargetName = target;
            StatusCode = statusCode;
            DaemonMessage = daemonMessage;
        }

        /// <summary>What was attempted.</summary>
        public string Operation { get; }

        /// <summary>The image, container or server it was attempted on.</summary>
        public string TargetName { get; }

        /// <summary>The HTTP status the daemon answered, when there was one.</summary>
        public int? StatusCode { get; }

        /// <summary>The daemon's own words.</summary>
        public string DaemonMessage { get; }

        /// <inheritdoc />
        public override string ErrorId => "DockerOperationFailed";

        /// <inheritdoc />
        public override object? Target => TargetName;
    }

    /// <summary>One or more images needed for an operation are not present locally. Nothing is pulled automatically.</summary>
    public sealed class MissingImagesException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public MissingImagesException(IReadOnlyList<string> images, string? operation = null)
            : base(BuildMessage(images, operation))
        {
            Images = images;
        }

        /// <summary>The missing image references.</summary>
        public IReadOnlyList<string> Images { get; }

        /// <summary>The PowerShell command that pulls the missing images.</summary>
        public string PullCommand => "Install-ArkImage -Image " + string.Join(", ", Images.Select(i => "'" + i + "'"));

        /// <inheritdoc />
        public override string ErrorId => "ImageMissing";

        /// <inheritdoc />
        public override object? Target => Images.Count == 1 ? Images[0] : Images;

        private static string BuildMessage(IReadOnlyList<string> images, string? operation)
        {
            var list = string.Join(", ", images);
            var what = images.Count == 1 ? $"The image '{list}' is" : $"The images {list} are";
            var prefix = operation is null ? string.Empty : operation + ": ";
            var pulls = string.Join("; ", images.Select(i => "docker pull " + i));
            return $"{prefix}{what} not present locally and nothing is pulled automatically. " +
                   $"Pull it first with: Install-ArkImage -Image {string.Join(", ", images.Select(i => "'" + i + "'"))} (or: {pulls}).";
        }
    }

    /// <summary>A pull failed (the daemon reported an error, or the image does not exist in the registry).</summary>
    public sealed class ImagePullException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public ImagePullException(string image, string daemonMessage, Exception? innerException = null)
            : base($"Pulling '{image}' failed: {daemonMessage}", innerException)
        {
            Image = image;
            DaemonMessage = daemonMessage;
        }

        /// <summary>The image that was pulled.</summary>
        public string Image { get; }

        /// <summary>The daemon's message.</summary>
        public string DaemonMessage { get; }

        /// <inheritdoc />
        public override string ErrorId => "ImagePullFailed";

        /// <inheritdoc />
        public override object? Target => Image;
    }

    /// <summary>A registry request failed.</summary>
    public class RegistryException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public RegistryException(string registry, string image, int? statusCode, string message, Exception? innerException = null)
            : base(message, innerException)
        {
            Registry = registry;
            Image = image;
            StatusCode = statusCode;
        }

        /// <summary>The registry host (with port).</summary>
        public string Registry { get; }

        /// <summary>The image that was checked.</summary>
        public string Image { get; }

        /// <summary>The HTTP status, when the registry answered.</summary>
        public int? StatusCode { get; }

        /// <inheritdoc />
        public override string ErrorId => "RegistryError";

        /// <inheritdoc />
        public override object? Target => Image;
    }

    /// <summary>The registry refused our credentials (or we had none and it requires some).</summary>
    public sealed class RegistryAuthenticationException : RegistryException
    {
        /// <summary>Creates the exception.</summary>
        public RegistryAuthenticationException(string registry, string image, int? statusCode, string message, Exception? innerException = null)
            : base(registry, image, statusCode, message, innerException)
        {
        }

        /// <inheritdoc />
        public override string ErrorId => "RegistryAuthenticationFailed";
    }

    /// <summary>The registry could not be reached (connection refused, DNS, timeout).</summary>
    public sealed class RegistryUnreachableException : RegistryException
    {
        /// <summary>Creates the exception.</summary>
        public RegistryUnreachableException(string registry, string image, string message, Exception? innerException = null)
            : base(registry, image, null, message, innerException)
        {
        }

        /// <inheritdoc />
        public override string ErrorId => "RegistryUnreachable";
    }

    /// <summary>The registry answered HTTP 429 (rate limit) and asked for a wait longer than the library honours (or answered 429 again after one short wait).</summary>
    public sealed class RegistryRateLimitedException : RegistryException
    {
        /// <summary>Creates the exception.</summary>
        public RegistryRateLimitedException(string registry, string image, TimeSpan? retryAfter, string message, Exception? innerException = null)
            : base(registry, image, 429, message, innerException)
        {
            RetryAfter = retryAfter;
        }

        /// <summary>The wait the registry asked for (Retry-After), when it said one.</summary>
        public TimeSpan? RetryAfter { get; }

        /// <inheritdoc />
        public override string ErrorId => "RegistryRateLimited";
    }

    /// <summary>
    /// A server name (given, or read from a container's label) that cannot name a server: 1 to 128 letters, digits, '_',
    /// '.' or '-', starting with a letter or digit. Nothing is touched for such a name.
    /// </summary>
    public sealed class InvalidServerNameException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public InvalidServerNameException(string? name)
            : base($"'{Shorten(name)}' is not a valid server name: use 1 to 128 letters, digits, '_', '.' or '-', starting with a letter or digit.")
        {
            Name = name ?? string.Empty;
        }

        /// <summary>The refused name.</summary>
        public string Name { get; }

        /// <inheritdoc />
        public override string ErrorId => "InvalidServerName";

        /// <inheritdoc />
        public override object? Target => Name;

        private static string Shorten(string? name) => name is null ? string.Empty : name.Length <= 140 ? name : name.Substring(0, 140) + "…";
    }

    /// <summary>No server with the given name exists.</summary>
    public sealed class ServerNotFoundException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public ServerNotFoundException(string name)
            : base($"No ARK server named '{name}' exists. List servers with Get-ArkServer.")
        {
            Name = name;
        }

        /// <summary>The name that was asked for.</summary>
        public string Name { get; }

        /// <inheritdoc />
        public override string ErrorId => "ServerNotFound";

        /// <inheritdoc />
        public override object? Target => Name;
    }

    /// <summary>A server or container with the given name already exists.</summary>
    public sealed class ServerAlreadyExistsException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public ServerAlreadyExistsException(string name)
            : base($"A server or container named '{name}' already exists. Choose another name or remove the existing container first.")
        {
            Name = name;
        }

        /// <summary>The name that is taken.</summary>
        public string Name { get; }

        /// <inheritdoc />
        public override string ErrorId => "ServerAlreadyExists";

        /// <inheritdoc />
        public override object? Target => Name;
    }

    /// <summary>No container with the given name or id exists.</summary>
    public sealed class ContainerNotFoundException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public ContainerNotFoundException(string container)
            : base($"No container named or with id '{container}' exists.")
        {
            Container = container;
        }

        /// <summary>The name or id that was asked for.</summary>
        public string Container { get; }

        /// <inheritdoc />
        public override string ErrorId => "ContainerNotFound";

        /// <inheritdoc />
        public override object? Target => Container;
    }

    /// <summary>Another run (another process or scheduled task) is changing the server.</summary>
    public sealed class ServerLockedException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public ServerLockedException(string server, string holder)
            : base($"Server '{server}' is locked by {holder}: another update, recreate or rollback is running. Wait for it to finish (or pass a lock timeout to wait) and retry.")
        {
            Server = server;
            Holder = holder;
        }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <summary>Who holds the lock (pid, host, since, operation).</summary>
        public string Holder { get; }

        /// <inheritdoc />
        public override string ErrorId => "ServerLocked";

        /// <inheritdoc />
        public override object? Target => Server;
    }

    /// <summary>An update, recreate or rollback of a server failed; <see cref="Result"/> says what happened and what state the server is in.</summary>
    public sealed class ServerUpdateException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public ServerUpdateException(string message, ServerUpdateResult result, Exception? innerException = null)
            : base(message, innerException)
        {
            Result = result;
        }

        /// <summary>The result, with the steps and the outcome.</summary>
        public ServerUpdateResult Result { get; }

        /// <inheritdoc />
        public override string ErrorId => Result.Outcome == UpdateOutcome.RolledBack ? "UpdateRolledBack" : "UpdateFailed";

        /// <inheritdoc />
        public override object? Target => Result.Server;
    }

    /// <summary>A rollback was asked for but there is nothing to roll back to.</summary>
    public sealed class NoRollbackTargetException : ArkManagerException
    {
        /// <summary>Creates the exception.</summary>
        public NoRollbackTargetException(string server, string reason)
            : base($"Server '{server}' cannot be rolled back: {reason}")
        {
            Server = server;
        }

        /// <summary>The server.</summary>
        public string Server { get; }

        /// <inheritdoc />
        public override string ErrorId => "NoRollbackTarget";

        /// <inheritdoc />
        public override object? Target => Server;
    }
}
