using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Internal;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// The per-server lock shared by every process of this library on the machine: one file under
    /// <c>&lt;state&gt;/locks</c>, held for the whole of an update, start, stop, backup or restore of the server.
    /// </summary>
    internal sealed class ServerLock
    {
        private readonly string _directory;

        public ServerLock(string stateDirectory)
        {
            _directory = Path.Combine(stateDirectory, "locks");
        }

        public string PathOf(string server)
        {
            ServerSpecParser.ValidateName(server); // a name from a label never steers a path
            return Path.Combine(_directory, server + ".lock");
        }

        /// <summary>Takes the lock, waiting up to <paramref name="timeout"/>; else <see cref="ServerLockedException"/> naming the holder.</summary>
        public Task<FileLock> AcquireAsync(string server, string operation, TimeSpan timeout, CancellationToken cancellationToken) =>
            FileLock.AcquireAsync(PathOf(server), operation + " " + server, timeout, cancellationToken, holder => new ServerLockedException(server, holder));

        /// <summary>Takes the lock when it is free; null when another run holds it.</summary>
        public FileLock? TryAcquire(string server, string operation) => FileLock.TryAcquire(PathOf(server), operation + " " + server);
    }
}
