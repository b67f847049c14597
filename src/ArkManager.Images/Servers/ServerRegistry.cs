using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Internal;

namespace ArkManager.Images.Servers
{
    /// <summary>One adopted container: a server by registration rather than by label (the label comes with its first recreate).</summary>
    internal sealed record RegisteredServer
    {
        public string Name { get; init; } = string.Empty;

        public string ContainerId { get; init; } = string.Empty;

        public string? Owner { get; init; }

        public DateTimeOffset RegisteredAt { get; init; }
    }

    /// <summary>
    /// The adopted servers, kept in &lt;state&gt;/servers.json. Every change is a whole-file rewrite to a temporary file
    /// followed by an atomic rename, under a cross-process lock, so a crash never leaves a half-written file.
    /// </summary>
    internal sealed class ServerRegistry
    {
        private readonly string _file;
        private readonly string _lockFile;

        public ServerRegistry(string stateDirectory)
        {
            _file = Path.Combine(stateDirectory, "servers.json");
            _lockFile = Path.Combine(stateDirectory, "locks", "servers.json.lock");
        }

        public IReadOnlyList<RegisteredServer> Read()
        {
            if (!File.Exists(_file))
            {
                return Array.Empty<RegisteredServer>();
            }

            try
            {
                var list = JsonSerializer.Deserialize<List<RegisteredServer>>(File.ReadAllText(_file), StateJson.Options);
                return list ?? new List<RegisteredServer>();
            }
            catch (JsonException ex)
            {
                throw new ArkConfigurationException(_file, ex.LineNumber is long l ? (int)l + 1 : (int?)null,
                    "the registered-servers file is damaged; restore it from a backup or remove the broken entry.", ex);
            }
        }

        public async Task UpdateAsync(Func<List<RegisteredServer>, List<RegisteredServer>> change, CancellationToken cancellationToken)
        {
            using (await FileLock.AcquireAsync(_lockFile, "servers.json", TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false))
            {
                var current = Read().ToList();
                var next = change(current);
                AtomicFile.WriteAllText(_file, JsonSerializer.Serialize(next, StateJson.Options));
            }
        }
    }
}
