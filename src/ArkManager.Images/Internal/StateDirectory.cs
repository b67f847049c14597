using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ArkManager.Images.Internal
{
    /// <summary>
    /// The state directory holds journals, snapshots, history and logs: owner-only. On Unix directories are created 0700
    /// and files 0600; on Windows each directory is created with a protected ACL (no inheritance from its parent) that
    /// grants only SYSTEM, Administrators and the creating account (<see cref="StateDirectoryAcl"/>), which its files
    /// inherit.
    /// </summary>
    internal static class StateDirectory
    {
        private const int OwnerOnlyDirectory = 0x1C0; // 0700
        private const int OwnerOnlyFile = 0x180;      // 0600

        /// <summary>Creates the directory (and missing parents) owner-only.</summary>
        public static void Create(string path)
        {
            if (Directory.Exists(path))
            {
                return;
            }

            var parent = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            {
                Create(parent!);
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                StateDirectoryAcl.CreateProtected(path);
                return;
            }

            Directory.CreateDirectory(path);
            SetMode(path, OwnerOnlyDirectory);
        }

        /// <summary>Makes a file readable and writable by its owner only.</summary>
        public static void RestrictFile(string path) => SetMode(path, OwnerOnlyFile);

        private static void SetMode(string path, int mode)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return;
            }

#if NET
            File.SetUnixFileMode(path, (UnixFileMode)mode);
#else
            if (chmod(path, (uint)mode) != 0)
            {
                throw new IOException($"Could not restrict the permissions of '{path}' (errno {Marshal.GetLastWin32Error()}).");
            }
#endif
        }

#if !NET
        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, uint mode);
#endif
    }
}
