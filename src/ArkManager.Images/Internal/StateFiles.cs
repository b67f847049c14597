using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Internal
{
    /// <summary>JSON settings of every file in the state directory.</summary>
    internal static class StateJson
    {
        public static readonly JsonSerializerOptions Options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            Converters = { new JsonStringEnumConverter() },
        };
    }

    /// <summary>Crash-safe whole-file writes: temp file, flush to disk, atomic rename.</summary>
    internal static class AtomicFile
    {
        public static void WriteAllText(string path, string text)
        {
            var dir = Path.GetDirectoryName(path)!;
            StateDirectory.Create(dir);
            var temp = Path.Combine(dir, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                StateDirectory.RestrictFile(temp);
                var bytes = new UTF8Encoding(false).GetBytes(text);
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(true);
            }

            if (File.Exists(path))
            {
                File.Replace(temp, path, null);
            }
            else
            {
                File.Move(temp, path);
            }
        }
    }

    /// <summary>
    /// An exclusive cross-process lock on a file (FileShare.None: flock on Unix, a share lock on Windows). The holder's
    /// pid, host, operation and start time are written beside it so a refused caller can say who holds it.
    /// </summary>
    internal sealed class FileLock : IDisposable
    {
        private readonly FileStream _stream;
        private readonly string _ownerFile;

        private FileLock(FileStream stream, string ownerFile)
        {
            _stream = stream;
            _ownerFile = ownerFile;
        }

        public static FileLock? TryAcquire(string path, string operation)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                var ownerFile = path + ".owner";
                var process = Process.GetCurrentProcess();
                File.WriteAllText(ownerFile, $"pid {process.Id} on {Environment.MachineName} since {DateTimeOffset.UtcNow:u} ({operation})");
                return new FileLock(stream, ownerFile);
            }
            catch (IOException)
            {
                return null;
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        public static async Task<FileLock> AcquireAsync(string path, string operation, TimeSpan timeout, CancellationToken cancellationToken, Func<string, Exception>? onTimeout = null)
        {
            var watch = Stopwatch.StartNew();
            var delay = 50;
            while (true)
            {
                var acquired = TryAcquire(path, operation);
                if (acquired != null)
                {
                    return acquired;
                }

                if (watch.Elapsed >= timeout)
                {
                    var holder = DescribeHolder(path);
                    throw onTimeout?.Invoke(holder) ?? new IOException($"'{path}' is locked by {holder}.");
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 1000);
            }
        }

        public static string DescribeHolder(string path)
        {
            try
            {
                var text = File.ReadAllText(path + ".owner").Trim();
                return text.Length == 0 ? "another process" : text;
            }
            catch (IOException)
            {
                return "another process";
            }
            catch (UnauthorizedAccessException)
            {
                return "another process";
            }
        }

        public void Dispose()
        {
            try
            {
                File.WriteAllText(_ownerFile, string.Empty);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }

            _stream.Dispose();
        }
    }
}
