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
            Services = new ServiceOperations(connection);
        }

        public DockerConnection Connection { get; }

        public IContainerOperations Containers { get; }

        public IImageOperations Images { get; }

        /// <summary>Swarm services (when the engine is a Swarm manager).</summary>
        public IServiceOperations Services { get; }

        /// <summary>The endpoint as shown to people.</summary>
        public string Display => Connection.Endpoint.Display;

        public void Dispose() => Connection.Dispose();
    }
}
