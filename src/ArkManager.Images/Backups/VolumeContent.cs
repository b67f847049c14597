using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ArkManager.Images.Backups.Tar;

namespace ArkManager.Images.Backups
{
    /// <summary>
    /// Checks and fingerprints the entries of one volume, in archive order, as they stream past.
    /// <para>
    /// Rules (the same at backup and at restore, so every backup written can be restored): the first entry is the volume
    /// root, a directory; every other path is relative, '/'-separated, without empty, '.' or '..' components (nor '..'
    /// between backslashes); each entry's parent directory came earlier (so nothing is written through a symlink);
    /// no path twice; only directories, regular files, symlinks and hard links (no devices, fifos or sparse files);
    /// a symlink target is relative and, resolved inside the volume following the volume's own symlinks, never leaves it;
    /// a hard link names an earlier regular file of the same volume.
    /// </para>
    /// <para>
    /// The content digest (<see cref="DigestAlgorithm"/>) is SHA-256 over, for each entry in order, the fields
    /// type ("dir", "file", "symlink", "hardlink"), path relative to the volume root ("." for the root), link target
    /// (symlink target as stored, hard link target as a volume-relative path, else empty), mode (4 octal digits of
    /// mode &amp; 07777), uid, gid, mtime (Unix seconds), size (data bytes), the count of extra PAX records, then each
    /// extra PAX record's key and value in ordinal key order — every field encoded as its UTF-8 byte length in decimal,
    /// ':', and its UTF-8 bytes — followed by the entry's data bytes. Names of the archive (prefixes), user and group
    /// names and the tar framing are not covered, so the digest of the daemon's stream and of the backup archive agree.
    /// </para>
    /// </summary>
    internal sealed class VolumeContent : IDisposable
    {
        public const string DigestAlgorithm = "ark-volume-content-v1";

        private const int MaxSymlinkHops = 40;

        private readonly Dictionary<string, Node> _nodes = new Dictionary<string, Node>(StringComparer.Ordinal);
        private readonly List<KeyValuePair<string, string>> _symlinks = new List<KeyValuePair<string, string>>();
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private string? _digest;

        public int EntryCount { get; private set; }

        /// <summary>Bytes of regular-file data.</summary>
        public long ContentBytes { get; private set; }

        /// <summary>The SHA-256 (lower-case hex) once <see cref="Complete"/> has run.</summary>
        public string Digest => _digest ?? throw new InvalidOperationException("The volume is not complete.");

        /// <summary>Every path seen, relative to the volume root ("" is the root).</summary>
        public IReadOnlyDictionary<string, Node> Nodes => _nodes;

        /// <summary>
        /// Turns an archive name into a path relative to the volume whose entries start with <paramref name="prefix"/>
        /// (e.g. "volumes/0/" or "Saved/"); returns null when the name is not under the prefix at all.
        /// </summary>
        public static string? RelativeTo(string name, string prefix)
        {
            var root = prefix.TrimEnd('/');
            if (name == root || name == prefix)
            {
                return string.Empty;
            }

            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return null;
            }

            var rel = name.Substring(prefix.Length);
            return rel.EndsWith("/", StringComparison.Ordinal) ? rel.Substring(0, rel.Length - 1) : rel;
        }

        /// <summary>True when <paramref name="name"/> is absolute or climbs with '..' (checked before any prefix logic).</summary>
        public static string? ProblemWithName(string name)
        {
            if (name.Length == 0)
            {
                return "an empty entry name";
            }

            if (IsAbsolute(name))
            {
                return "an absolute path";
            }

            foreach (var part in name.Split('/', '\\'))
            {
                if (part == "..")
                {
                    return "a '..' component";
                }
            }

            if (name.IndexOf('\0') >= 0)
            {
                return "a NUL character in the name";
            }

            return null;
        }

        /// <summary>
        /// Validates and records one entry. <paramref name="rel"/> is relative to the volume root ("" for the root);
        /// <paramref name="hardLinkTarget"/> is the volume-relative target of a hard link. Throws
        /// <see cref="TarFormatException"/> describing the problem.
        /// </summary>
        public void Add(string rel, TarEntry entry, string? hardLinkTarget)
        {
            if (_digest != null)
            {
                throw new InvalidOperationException("The volume is already complete.");
            }

            if (EntryCount == 0)
            {
                if (rel.Length != 0 || entry.Type != TarEntryType.Directory)
                {
                    throw new TarFormatException("the first entry of a volume must be its root directory", entry.Name);
                }
            }
            else
            {
                if (rel.Length == 0)
                {
                    throw new TarFormatException("the volume root appears twice", entry.Name);
                }

                var problem = ProblemWithPath(rel);
                if (problem != null)
                {
                    throw new TarFormatException(problem, entry.Name);
                }

                if (_nodes.ContainsKey(rel))
                {
                    throw new TarFormatException("the path appears twice", entry.Name);
                }

                var parent = ParentOf(rel);
                if (!_nodes.TryGetValue(parent, out var parentNode) || parentNode.Type != TarEntryType.Directory)
                {
                    throw new TarFormatException("its parent directory does not come before it (it would be written through a link or a file)", entry.Name);
                }
            }

            string link;
            switch (entry.Type)
            {
                case TarEntryType.Directory:
                case TarEntryType.RegularFile:
                    link = string.Empty;
                    break;
                case TarEntryType.SymbolicLink:
                    link = entry.LinkName;
                    var linkProblem = ProblemWithSymlinkTarget(link);
                    if (linkProblem != null)
                    {
                        throw new TarFormatException($"a symlink to '{link}' ({linkProblem}) would point outside the volume", entry.Name);
                    }

                    _symlinks.Add(new KeyValuePair<string, string>(rel, entry.Name));
                    break;
                case TarEntryType.HardLink:
                    link = hardLinkTarget ?? string.Empty;
                    var targetProblem = link.Length == 0 ? "an empty or foreign target" : ProblemWithPath(link);
                    if (targetProblem != null)
                    {
                        throw new TarFormatException($"a hard link to '{entry.LinkName}' ({targetProblem}) points outside the volume", entry.Name);
                    }

                    if (!_nodes.TryGetValue(link, out var target) || target.Type != TarEntryType.RegularFile)
                    {
                        throw new TarFormatException($"a hard link to '{entry.LinkName}' does not name an earlier regular file of the same volume", entry.Name);
                    }

                    break;
                case TarEntryType.CharacterDevice:
                case TarEntryType.BlockDevice:
                    throw new TarFormatException("device nodes are not allowed", entry.Name);
                case TarEntryType.Fifo:
                    throw new TarFormatException("named pipes are not allowed", entry.Name);
                default:
                    throw new TarFormatException($"entries of type '{entry.TypeFlag}' are not allowed", entry.Name);
            }

            _nodes[rel] = new Node(entry.Type, entry.Type == TarEntryType.SymbolicLink ? link : null);
            EntryCount++;

            var size = entry.IsHeaderOnly ? 0 : entry.Size;
            Field(TypeName(entry.Type));
            Field(rel.Length == 0 ? "." : rel);
            Field(link);
            Field(Convert.ToString(entry.Mode & 0xFFF, 8).PadLeft(4, '0'));
            Field(entry.Uid.ToString(CultureInfo.InvariantCulture));
            Field(entry.Gid.ToString(CultureInfo.InvariantCulture));
            Field(entry.ModTime.ToString(CultureInfo.InvariantCulture));
            Field(size.ToString(CultureInfo.InvariantCulture));
            Field(entry.ExtraPax.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var pair in entry.ExtraPax)
            {
                Field(pair.Key);
                Field(pair.Value);
            }
        }

        /// <summary>Adds data bytes of the current (regular file) entry to the digest.</summary>
        public void AddContent(byte[] buffer, int offset, int count)
        {
            _hash.AppendData(buffer, offset, count);
            ContentBytes += count;
        }

        /// <summary>Checks every symlink against the whole volume and finalises the digest.</summary>
        public void Complete()
        {
            if (_digest != null)
            {
                return;
            }

            if (EntryCount == 0)
            {
                throw new TarFormatException("the volume has no entries (not even its root directory)");
            }

            foreach (var link in _symlinks)
            {
                var problem = ResolveWithin(link.Key);
                if (problem != null)
                {
                    throw new TarFormatException($"the symlink to '{_nodes[link.Key].LinkTarget}' {problem}", link.Value);
                }
            }

            _digest = ToHex(_hash.GetHashAndReset());
        }

        public void Dispose() => _hash.Dispose();

        internal static string ToHex(byte[] bytes)
        {
            var builder = new StringBuilder(bytes.Length * 2);
            foreach (var b in bytes)
            {
                builder.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }

            return builder.ToString();
        }

        internal static string ParentOf(string rel)
        {
            var slash = rel.LastIndexOf('/');
            return slash < 0 ? string.Empty : rel.Substring(0, slash);
        }

        private static string? ProblemWithPath(string rel)
        {
            if (IsAbsolute(rel))
            {
                return "an absolute path";
            }

            foreach (var part in rel.Split('/'))
            {
                if (part.Length == 0)
                {
                    return "an empty path component";
                }

                if (part == "." || part == "..")
                {
                    return $"a '{part}' component";
                }

                if (part.IndexOf('\0') >= 0)
                {
                    return "a NUL character";
                }

                foreach (var sub in part.Split('\\'))
                {
                    if (sub == "..")
                    {
                        return "a '..' component between backslashes";
                    }
                }
            }

            return null;
        }

        private static string? ProblemWithSymlinkTarget(string target)
        {
            if (target.Length == 0)
            {
                return "empty";
            }

            if (IsAbsolute(target))
            {
                return "absolute";
            }

            if (target.IndexOf('\0') >= 0)
            {
                return "a NUL character";
            }

            foreach (var part in target.Split('/'))
            {
                if (part.IndexOf('\\') >= 0)
                {
                    foreach (var sub in part.Split('\\'))
                    {
                        if (sub == "..")
                        {
                            return "'..' between backslashes";
                        }
                    }
                }
            }

            return null;
        }

        private static bool IsAbsolute(string path) =>
            path.StartsWith("/", StringComparison.Ordinal) || path.StartsWith("\\", StringComparison.Ordinal) ||
            (path.Length >= 2 && path[1] == ':' && ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')));

        /// <summary>Resolves a symlink inside the volume (following the volume's symlinks); null when it stays inside.</summary>
        private string? ResolveWithin(string linkPath)
        {
            var resolved = new List<string>();
            var parent = ParentOf(linkPath);
            if (parent.Length > 0)
            {
                resolved.AddRange(parent.Split('/'));
            }

            var pending = new LinkedList<string>(_nodes[linkPath].LinkTarget!.Split('/'));
            var hops = 0;
            while (pending.Count > 0)
            {
                var part = pending.First!.Value;
                pending.RemoveFirst();
                if (part.Length == 0 || part == ".")
                {
                    continue;
                }

                if (part == "..")
                {
                    if (resolved.Count == 0)
                    {
                        return "leads outside the volume";
                    }

                    resolved.RemoveAt(resolved.Count - 1);
                    continue;
                }

                resolved.Add(part);
                if (_nodes.TryGetValue(string.Join("/", resolved), out var node) && node.Type == TarEntryType.SymbolicLink)
                {
                    if (++hops > MaxSymlinkHops)
                    {
                        return "is part of a symlink loop";
                    }

                    resolved.RemoveAt(resolved.Count - 1);
                    var parts = node.LinkTarget!.Split('/');
                    for (var i = parts.Length - 1; i >= 0; i--)
                    {
                        pending.AddFirst(parts[i]);
                    }
                }
            }

            return null;
        }

        private static string TypeName(TarEntryType type) => type switch
        {
            TarEntryType.Directory => "dir",
            TarEntryType.RegularFile => "file",
            TarEntryType.SymbolicLink => "symlink",
            TarEntryType.HardLink => "hardlink",
            _ => "other",
        };

        private void Field(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            var length = Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture) + ":");
            _hash.AppendData(length);
            _hash.AppendData(bytes);
        }

        /// <summary>What is at a path of the volume.</summary>
        internal sealed class Node
        {
            public Node(TarEntryType type, string? linkTarget)
            {
                Type = type;
                LinkTarget = linkTarget;
            }

            public TarEntryType Type { get; }

            public string? LinkTarget { get; }
        }
    }
}
