using System;
using System.Collections.Generic;

namespace ArkManager.Images.Backups.Tar
{
    /// <summary>The kinds of tar entries the reader reports.</summary>
    internal enum TarEntryType
    {
        /// <summary>A regular file ('0', NUL, '7').</summary>
        RegularFile,

        /// <summary>A directory ('5', or an old-style regular entry whose name ends with '/').</summary>
        Directory,

        /// <summary>A symbolic link ('2').</summary>
        SymbolicLink,

        /// <summary>A hard link to an earlier entry ('1').</summary>
        HardLink,

        /// <summary>A character device ('3').</summary>
        CharacterDevice,

        /// <summary>A block device ('4').</summary>
        BlockDevice,

        /// <summary>A named pipe ('6').</summary>
        Fifo,

        /// <summary>Anything else (sparse files, vendor extensions).</summary>
        Other,
    }

    /// <summary>
    /// One logical tar entry: the ustar header with PAX ('x', 'g') and GNU ('L', 'K') extensions already applied.
    /// </summary>
    internal sealed class TarEntry
    {
        /// <summary>The entry name ('/'-separated; directories may end with '/').</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>The kind of entry.</summary>
        public TarEntryType Type { get; set; }

        /// <summary>The raw type flag of the header.</summary>
        public char TypeFlag { get; set; } = '0';

        /// <summary>Permission bits, setuid/setgid/sticky included (mode &amp; 07777).</summary>
        public int Mode { get; set; }

        /// <summary>Owner user id.</summary>
        public long Uid { get; set; }

        /// <summary>Owner group id.</summary>
        public long Gid { get; set; }

        /// <summary>Owner user name (informational).</summary>
        public string UserName { get; set; } = string.Empty;

        /// <summary>Owner group name (informational).</summary>
        public string GroupName { get; set; } = string.Empty;

        /// <summary>Modification time in whole seconds since the Unix epoch.</summary>
        public long ModTime { get; set; }

        /// <summary>Bytes of data that follow the header (0 for header-only types).</summary>
        public long Size { get; set; }

        /// <summary>Target of a symbolic or hard link.</summary>
        public string LinkName { get; set; } = string.Empty;

        /// <summary>Device major number.</summary>
        public long DevMajor { get; set; }

        /// <summary>Device minor number.</summary>
        public long DevMinor { get; set; }

        /// <summary>PAX records not mapped to a field above (xattrs, atime, …), kept so a copy loses nothing.</summary>
        public SortedDictionary<string, string> ExtraPax { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

        /// <summary>True for the types that never carry data (links, directories, devices, fifos).</summary>
        public bool IsHeaderOnly => Type != TarEntryType.RegularFile && Type != TarEntryType.Other;

        /// <summary>A copy with another name (and link name).</summary>
        public TarEntry With(string name, string linkName)
        {
            var copy = new TarEntry
            {
                Name = name,
                Type = Type,
                TypeFlag = TypeFlag,
                Mode = Mode,
                Uid = Uid,
                Gid = Gid,
                UserName = UserName,
                GroupName = GroupName,
                ModTime = ModTime,
                Size = Size,
                LinkName = linkName,
                DevMajor = DevMajor,
                DevMinor = DevMinor,
            };
            foreach (var pair in ExtraPax)
            {
                copy.ExtraPax[pair.Key] = pair.Value;
            }

            return copy;
        }

        /// <summary>The type flag written for <paramref name="type"/>.</summary>
        public static char FlagOf(TarEntryType type) => type switch
        {
            TarEntryType.RegularFile => '0',
            TarEntryType.HardLink => '1',
            TarEntryType.SymbolicLink => '2',
            TarEntryType.CharacterDevice => '3',
            TarEntryType.BlockDevice => '4',
            TarEntryType.Directory => '5',
            TarEntryType.Fifo => '6',
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "This entry type cannot be written."),
        };

        /// <inheritdoc />
        public override string ToString() => Type + " " + Name + (LinkName.Length > 0 ? " -> " + LinkName : string.Empty);
    }

    /// <summary>A tar stream is malformed or truncated.</summary>
    internal sealed class TarFormatException : Exception
    {
        public TarFormatException(string message, string? entryName = null, Exception? innerException = null)
            : base(message, innerException)
        {
            EntryName = entryName;
        }

        /// <summary>The entry being read, when known.</summary>
        public string? EntryName { get; }
    }
}
