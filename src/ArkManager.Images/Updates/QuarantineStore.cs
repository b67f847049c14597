using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Internal;

namespace ArkManager.Images.Updates
{
    /// <summary>A digest (or, for an image without one, an image id) of an image reference that failed its health gate.</summary>
    internal sealed record QuarantineEntry
    {
        public string Image { get; init; } = string.Empty;

        public string? Digest { get; init; }

        public string ImageId { get; init; } = string.Empty;

        public DateTimeOffset Since { get; init; }

        /// <summary>What the health gate said (without the "health gate failed:" lead).</summary>
        public string Reason { get; init; } = string.Empty;

        /// <summary>The server whose update proved it broken.</summary>
        public string Server { get; init; } = string.Empty;

        /// <summary>True when this entry is about the image with <paramref name="digest"/> / <paramref name="imageId"/>.</summary>
        public bool Matches(string? digest, string? imageId) =>
            Digest != null
                ? digest != null && string.Equals(Digest, digest, StringComparison.OrdinalIgnoreCase)
                : imageId != null && string.Equals(ImageId, imageId, StringComparison.Ordinal);
    }

    /// <summary>
    /// The quarantined images: one owner-only JSON file per image reference under <c>&lt;state&gt;/quarantine/</c>, each a
    /// list of <see cref="QuarantineEntry"/>, rewritten atomically under a cross-process lock.
    /// </summary>
    internal sealed class QuarantineStore
    {
        /// <summary>How many entries one image keeps (the oldest go first).</summary>
        public const int Keep = 20;

        private readonly string _root;
        private readonly string _lockFile;

        public QuarantineStore(string stateDirectory)
        {
            _root = Path.Combine(stateDirectory, "quarantine");
            _lockFile = Path.Combine(stateDirectory, "locks", "quarantine.lock");
        }

        public string PathOf(string image)
        {
            var safe = new StringBuilder();
            foreach (var c in image)
            {
                safe.Append(char.IsLetterOrDigit(c) || c == '.' || c == '-' || c == '_' ? c : '_');
            }

            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(image));
            var hex = string.Concat(hash.Take(6).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            var name = safe.Length > 100 ? safe.ToString(0, 100) : safe.ToString();
            return Path.Combine(_root, name + "-" + hex + ".json");
        }

        public IReadOnlyList<QuarantineEntry> Read(string image)
        {
            var file = PathOf(image);
            if (!File.Exists(file))
            {
                return Array.Empty<QuarantineEntry>();
            }

            try
            {
                var list = JsonSerializer.Deserialize<List<QuarantineEntry>>(File.ReadAllText(file), StateJson.Options);
                return (list ?? new List<QuarantineEntry>()).Where(e => e.Image == image).ToList();
            }
            catch (JsonException ex)
            {
                throw new ArkConfigurationException(file, ex.LineNumber is long l ? (int)l + 1 : (int?)null,
                    "the quarantine file is damaged; remove it (the images it quarantined are then tried again).", ex);
            }
        }

        public Task AddAsync(QuarantineEntry entry, CancellationToken cancellationToken) =>
            ChangeAsync(entry.Image, list =>
            {
                list.RemoveAll(e => e.Matches(entry.Digest, entry.ImageId));
                list.Add(entry);
                return list.Skip(Math.Max(0, list.Count - Keep)).ToList();
            }, cancellationToken);

        /// <summary>Lifts the quarantine of one image (it passed its health gate after all). True when there was one.</summary>
        public async Task<bool> ClearAsync(string image, string? digest, string? imageId, CancellationToken cancellationToken)
        {
            if (!Read(image).Any(e => e.Matches(digest, imageId)))
            {
                return false;
            }

            await ChangeAsync(image, list =>
            {
                list.RemoveAll(e => e.Matches(digest, imageId));
                return list;
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }

        private async Task ChangeAsync(string image, Func<List<QuarantineEntry>, List<QuarantineEntry>> change, CancellationToken cancellationToken)
        {
            StateDirectory.Create(Path.GetDirectoryName(_lockFile)!);
            using (await FileLock.AcquireAsync(_lockFile, "quarantine", TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false))
            {
                var next = change(Read(image).ToList());
                var file = PathOf(image);
                if (next.Count == 0)
                {
                    File.Delete(file);
                }
                else
                {
                    AtomicFile.WriteAllText(file, JsonSerializer.Serialize(next, StateJson.Options));
                }
            }
        }
    }
}
