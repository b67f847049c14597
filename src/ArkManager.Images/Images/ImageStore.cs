using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using ArkManager.Images.Internal;
using global::Docker.DotNet;
using global::Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Images
{
    /// <summary>Local images: inspect and (only when asked) pull.</summary>
    internal sealed class ImageStore
    {
        private readonly DockerConnection _connection;
        private readonly ILogger _logger;
        private readonly Func<ImageReference, CancellationToken, Task<AuthConfig?>> _authFor;

        public ImageStore(DockerConnection connection, ILogger logger, Func<ImageReference, CancellationToken, Task<AuthConfig?>> authFor)
        {
            _connection = connection;
            _logger = logger;
            _authFor = authFor;
        }

        /// <summary>Inspects a local image by reference; null when absent.</summary>
        public async Task<ImageInfo?> InspectAsync(ImageReference reference, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var response = await DockerErrors.Call(_connection.Endpoint, "Inspecting image", reference.ToString(),
                    () => client.Images.InspectImageAsync(reference.ToString(), cancellationToken)).ConfigureAwait(false);
                var info = ToInfo(response, reference);
                Log.ImagePresent(_logger, reference.ToString(), info.Id);
                return info;
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
            {
                return null;
            }
        }

        /// <summary>Pulls an image; the caller asked for it. Errors in the progress stream throw.</summary>
        public async Task<ImageInfo> PullAsync(ImageReference reference, IProgress<PullProgress>? progress, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var image = reference.ToString();
            Log.PullStarting(_logger, image);
            var tracker = new PullProgressTracker(image);
            var sink = new MessageSink(tracker, progress, _logger, image);
            var auth = await _authFor(reference, cancellationToken).ConfigureAwait(false);
            var parameters = new ImagesCreateParameters
            {
                FromImage = reference.FamiliarRepository,
                Tag = reference.Digest ?? reference.Tag,
            };

            try
            {
                await client.Images.CreateImageAsync(parameters, auth, sink, cancellationToken).ConfigureAwait(false);
            }
            catch (DockerApiException ex)
            {
                var message = DockerErrors.MessageOf(ex);
                Log.PullFailed(_logger, image, message);
                throw new ImagePullException(image, ex.StatusCode == HttpStatusCode.NotFound
                    ? $"the registry has no such image ({message})"
                    : message, ex);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is ArkManagerException) && DockerConnection.IsConnectionFailure(ex))
            {
                throw new DockerUnavailableException(_connection.Endpoint.Display, DockerConnection.DescribeConnectionFailure(ex), ex);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (sink.Error is string error)
            {
                Log.PullFailed(_logger, image, error);
                throw new ImagePullException(image, error);
            }

            var info = await InspectAsync(reference, cancellationToken).ConfigureAwait(false)
                       ?? throw new ImagePullException(image, "the daemon reported success but the image is not present afterwards");
            progress?.Report(tracker.Complete());
            Log.PullCompleted(_logger, image, info.Id, info.Digest ?? tracker.Digest);
            return info;
        }

        internal static ImageInfo ToInfo(ImageInspectResponse response, ImageReference reference)
        {
            var repoDigests = (IReadOnlyList<string>?)response.RepoDigests?.ToList() ?? Array.Empty<string>();
            var digest = reference.Digest ?? repoDigests.Where(reference.IsSameRepository).Select(ImageReference.DigestOf).FirstOrDefault();
            return new ImageInfo
            {
                Reference = reference.ToString(),
                Id = response.ID,
                RepoTags = (IReadOnlyList<string>?)response.RepoTags?.ToList() ?? Array.Empty<string>(),
                RepoDigests = repoDigests,
                Digest = digest,
                Created = response.Created is DateTime created ? new DateTimeOffset(DateTime.SpecifyKind(created, created.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : created.Kind)) : default,
                Size = response.Size,
                Os = response.Os ?? string.Empty,
                Architecture = response.Architecture ?? string.Empty,
                Labels = response.Config?.Labels is IDictionary<string, string> labels
                    ? new Dictionary<string, string>(labels, StringComparer.Ordinal)
                    : new Dictionary<string, string>(),
            };
        }

        /// <summary>Receives the daemon's JSON messages synchronously, in order.</summary>
        private sealed class MessageSink : IProgress<JSONMessage>
        {
            private readonly PullProgressTracker _tracker;
            private readonly IProgress<PullProgress>? _progress;
            private readonly ILogger _logger;
            private readonly string _image;

            public MessageSink(PullProgressTracker tracker, IProgress<PullProgress>? progress, ILogger logger, string image)
            {
                _tracker = tracker;
                _progress = progress;
                _logger = logger;
                _image = image;
            }

            public string? Error { get; private set; }

            public void Report(JSONMessage value)
            {
                if (value.Error != null && !string.IsNullOrEmpty(value.Error.Message))
                {
                    Error ??= value.Error.Message;
                    return;
                }

                if (string.IsNullOrEmpty(value.Status))
                {
                    return;
                }

                if (value.Status != "Downloading" && value.Status != "Extracting")
                {
                    Log.PullStatus(_logger, _image, value.ID, value.Status!);
                }

                var report = _tracker.Update(value.ID, value.Status, value.Progress?.Current, value.Progress?.Total);
                _progress?.Report(report);
            }
        }
    }
}
