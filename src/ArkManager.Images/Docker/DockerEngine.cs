using System;

namespace ArkManager.Images.Docker
{
    /// <summary>
    /// One Docker endpoint: its connection (one client, the negotiated API version) and the operations over it. The
    /// parts above <c>Docker/</c> take <see cref="Containers"/> and <see cref="Images"/> (interfaces), never the client.
    /// </summary>
    internal sealed class DockerEngine : IDisposable
    {
        public DockerEngine(DockerConnection connection)
        {
            Connection = connection;
            Containers = new ContainerOperations(connection);
            Images = new ImageOperations(connection);
        }

        public DockerConnection Connection { get; }

        public IContainerOperations Containers { get; }

        public IImageOperations Images { get; }

        /// <summary>The endpoint as shown to people.</summary>
        public string Display => Connection.Endpoint.Display;

        public void Dispose() => Connection.Dispose();
    }
}
