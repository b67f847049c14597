using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Registry;
using global::Docker.DotNet.Models;

namespace ArkManager.Images.Docker
{
    /// <summary>Local images over one engine's client: inspect, list, pull, tag, remove.</summary>
    internal sealed class ImageOperations : IImageOperations
    {
        private static readonly JsonSerializerOptions SnapshotJson = new JsonSerializerOptions { WriteIndented = true };
        private readonly DockerConnection _connection;

        public ImageOperations(DockerConnection connection)
        {
            _connection = connection;
        }

        public async Task<ImageDetails?> TryInspectAsync(string referenceOrId, CancellationToken cancellationToken)
        {
            var raw = await TryInspectRawAsync(referenceOrId, cancellationToken).ConfigureAwait(false);
            return raw is null ? null : DockerModelMapper.ToDetails(raw);
        }

        public async Task<string> InspectJsonAsync(string id, CancellationToken cancellationToken)
        {
            var raw = await TryInspectRawAsync(id, cancellationToken).ConfigureAwait(false)
                      ?? throw new DockerOperationException("Inspecting image", id, (int)HttpStatusCode.NotFound, "no such image");
            return JsonSerializer.Serialize(raw, SnapshotJson);
        }

        public async Task<IReadOnlyList<ImageDetails>> ListAsync(CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var list = await DockerErrors.Call(_connection.Endpoint, "Listing images", "*",
                () => client.Images.ListImagesAsync(new ImagesListParameters { All = false }, cancellationToken)).ConfigureAwait(false);
            return list.Select(DockerModelMapper.ToDetails).ToList();
        }

        public async Task PullAsync(ImageReference reference, RegistryCredential? credential, Action<PullMessage> messages, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            var image = reference.ToString();
            var sink = new MessageSink(messages);
            var parameters = new ImagesCreateParameters { FromImage = reference.FamiliarRepository, Tag = reference.Digest ?? reference.Tag };
            try
            {
                await client.Images.CreateImageAsync(parameters, AuthOf(reference, credential), sink, cancellationToken).ConfigureAwait(false);
            }
            catch (global::Docker.DotNet.DockerApiException ex)
            {
                var message = DockerErrors.MessageOf(ex);
                throw new ImagePullException(image, ex.StatusCode == HttpStatusCode.NotFound ? $"the registry has no such image ({message})" : message, ex);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) && !(ex is ArkManagerException) && DockerConnection.IsConnectionFailure(ex))
            {
                throw new DockerUnavailableException(_connection.Endpoint.Display, DockerConnection.DescribeConnectionFailure(ex), ex);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (sink.Error is string error)
            {
                throw new ImagePullException(image, error);
            }
        }

        public async Task TagAsync(string imageId, string repository, string tag, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            await DockerErrors.Call(_connection.Endpoint, "Tagging image", repository + ":" + tag,
                () => client.Images.TagImageAsync(imageId, new ImageTagParameters { RepositoryName = repository, Tag = tag }, cancellationToken)).ConfigureAwait(false);
        }

        public async Task RemoveAsync(string referenceOrId, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await DockerErrors.Call(_connection.Endpoint, "Removing image", referenceOrId,
                    () => client.Images.DeleteImageAsync(referenceOrId, new ImageDeleteParameters { Force = false, NoPrune = false }, cancellationToken)).ConfigureAwait(false);
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
            {
            }
        }

        private async Task<ImageInspectResponse?> TryInspectRawAsync(string referenceOrId, CancellationToken cancellationToken)
        {
            var client = await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await DockerErrors.Call(_connection.Endpoint, "Inspecting image", referenceOrId,
                    () => client.Images.InspectImageAsync(referenceOrId, cancellationToken)).ConfigureAwait(false);
            }
            catch (DockerOperationException ex) when (ex.StatusCode == (int)HttpStatusCode.NotFound)
            {
                return null;
            }
        }

        private static AuthConfig? AuthOf(ImageReference reference, RegistryCredential? credential)
        {
            if (credential is null)
            {
                return null;
            }

            var server = DockerCredentialStore.ServerAddressFor(reference.Registry);
            return credential.IsIdentityToken
                ? new AuthConfig { IdentityToken = credential.Secret, ServerAddress = server }
                : new AuthConfig { Username = credential.Username, Password = credential.Secret, ServerAddress = server };
        }

        /// <summary>Receives the daemon's JSON messages synchronously, in order; keeps the first error.</summary>
        private sealed class MessageSink : IProgress<JSONMessage>
        {
            private readonly Action<PullMessage> _messages;

            public MessageSink(Action<PullMessage> messages) => _messages = messages;

            public string? Error { get; private set; }

            public void Report(JSONMessage value)
            {
                if (value.Error != null && !string.IsNullOrEmpty(value.Error.Message))
                {
                    Error ??= value.Error.Message;
                    return;
                }

                _messages(new PullMessage(value.ID, value.Status, value.Progress?.Current, value.Progress?.Total, null));
            }
        }
    }
}
