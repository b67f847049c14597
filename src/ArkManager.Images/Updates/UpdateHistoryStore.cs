using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Updates
{
    /// <summary>
    /// The update history: append-only JSON Lines at <c>&lt;state&gt;/history/updates.jsonl</c>, one
    /// <see cref="UpdateHistoryRecord"/> per line (camelCase, enums as names, durations as <c>[d.]hh:mm:ss[.fffffff]</c>).
    /// Appends from several processes are serialised by an exclusive lock on <c>updates.lock</c> next to it; readers
    /// take no lock and skip a line that does not parse (a write torn by a crash, or one in progress).
    /// </summary>
    internal sealed class UpdateHistoryStore
    {
        public const string FileName = "updates.jsonl";
        public const string LockFileName = "updates.lock";

        internal static readonly JsonSerializerOptions Json = CreateJsonOptions();

        private readonly ILogger _logger;

        public UpdateHistoryStore(string stateDirectory, ILogger logger)
        {
            if (string.IsNullOrWhiteSpace(stateDirectory))
            {
                throw new ArgumentException("A state directory is required.", nameof(stateDirectory));
            }

            _logger = logger ?? throw new ArgumentNullException(nameof(logger));
            Directory = Path.Combine(Path.GetFullPath(stateDirectory), "history");
            FilePath = Path.Combine(Directory, FileName);
            LockPath = Path.Combine(Directory, LockFileName);
        }

        /// <summary>The history folder.</summary>
        public string Directory { get; }

        /// <summary>The JSON Lines file.</summary>
        public string FilePath { get; }

        /// <summary>The lock file that serialises writers.</summary>
        public string LockPath { get; }

        /// <summary>How long an append waits for another writer before it fails.</summary>
        internal TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Appends one record as one line, flushed to disk before this returns.</summary>
        public async Task AppendAsync(UpdateHistoryRecord record, CancellationToken cancellationToken)
        {
            if (record is null)
            {
                throw new ArgumentNullException(nameof(record));
            }

            var json = JsonSerializer.SerializeToUtf8Bytes(record, Json);
            System.IO.Directory.CreateDirectory(Directory);
            using var lockFile = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var stream = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.None);
                var length = stream.Length;
                var needsNewline = false;
                if (length > 0)
                {
                    // A writer that crashed mid-line left no '\n': start on a line of our own.
                    stream.Seek(length - 1, SeekOrigin.Begin);
                    needsNewline = stream.ReadByte() != '\n';
                }

                var line = new byte[json.Length + (needsNewline ? 2 : 1)];
                var offset = 0;
                if (needsNewline)
                {
                    line[offset++] = (byte)'\n';
                    HistoryLog.TornLineTerminated(_logger, FilePath);
                }

                Buffer.BlockCopy(json, 0, line, offset, json.Length);
                line[line.Length - 1] = (byte)'\n';
                stream.Seek(length, SeekOrigin.Begin);
                await stream.WriteAsync(line, 0, line.Length, cancellationToken).ConfigureAwait(false);
                stream.Flush(true);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new UpdateHistoryException(FilePath, $"the record of server '{record.Server}' could not be written: {ex.Message}", ex);
            }

            HistoryLog.Appended(_logger, record.Server, record.Kind, record.Outcome, FilePath);
        }

        /// <summary>Reads the records that pass <paramref name="filter"/>, oldest first (by start time, then file order).</summary>
        public async Task<IReadOnlyList<UpdateHistoryRecord>> ReadAsync(UpdateHistoryFilter? filter, CancellationToken cancellationToken)
        {
            var records = new List<UpdateHistoryRecord>();
            if (!File.Exists(FilePath))
            {
                return records;
            }

            var image = NormalizeImage(filter?.Image);
            try
            {
                using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous | FileOptions.SequentialScan);
                using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
                var lineNumber = 0;
                string? line;
                while ((line = await reader.ReadLineAsync().ConfigureAwait(false)) != null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    lineNumber++;
                    if (line.Length == 0 || line.Trim().Length == 0)
                    {
                        continue;
                    }

                    UpdateHistoryRecord? record;
                    try
                    {
                        record = JsonSerializer.Deserialize<UpdateHistoryRecord>(line, Json);
                    }
                    catch (JsonException ex)
                    {
                        HistoryLog.LineSkipped(_logger, FilePath, lineNumber, ex.Message);
                        continue;
                    }

                    if (record is null)
                    {
                        HistoryLog.LineSkipped(_logger, FilePath, lineNumber, "null record");
                        continue;
                    }

                    if (Matches(record, filter, image))
                    {
                        records.Add(record);
                    }
                }
            }
            catch (FileNotFoundException)
            {
                return records;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new UpdateHistoryException(FilePath, "the history could not be read: " + ex.Message, ex);
            }

            var ordered = records
                .Select((r, i) => new { Record = r, Index = i })
                .OrderBy(x => x.Record.StartedAt)
                .ThenBy(x => x.Index)
                .Select(x => x.Record)
                .ToList();
            if (filter?.Last is int last)
            {
                ordered = last <= 0 ? new List<UpdateHistoryRecord>() : ordered.Skip(Math.Max(0, ordered.Count - last)).ToList();
            }

            return ordered;
        }

        private static bool Matches(UpdateHistoryRecord record, UpdateHistoryFilter? filter, string? image)
        {
            if (filter is null)
            {
                return true;
            }

            if (filter.Server != null && !string.Equals(record.Server, filter.Server, StringComparison.Ordinal))
            {
                return false;
            }

            if (image != null && !string.Equals(NormalizeImage(record.Image), image, StringComparison.Ordinal))
            {
                return false;
            }

            if (filter.Since is DateTimeOffset since && record.StartedAt < since)
            {
                return false;
            }

            if (filter.Owner != null && !string.Equals(record.Owner, filter.Owner, StringComparison.Ordinal))
            {
                return false;
            }

            return true;
        }

        /// <summary>The familiar normalised form of a reference (<c>ubuntu</c> → <c>ubuntu:latest</c>); other text as given.</summary>
        private static string? NormalizeImage(string? image)
        {
            if (image is null)
            {
                return null;
            }

            return ImageReference.TryParse(image, out var parsed, out _) && parsed != null ? parsed.ToString() : image.Trim();
        }

        private async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + LockTimeout;
            var delay = 5;
            while (true)
            {
                try
                {
                    // FileShare.None: on Windows a sharing lock, on Unix .NET takes flock(LOCK_EX), which holds across processes.
                    return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (IOException ex) when (!(ex is FileNotFoundException) && !(ex is DirectoryNotFoundException) && !(ex is PathTooLongException))
                {
                    if (DateTime.UtcNow >= deadline)
                    {
                        throw new UpdateHistoryException(FilePath,
                            $"another process has held the history lock '{LockPath}' for more than {LockTimeout.TotalSeconds:0} s ({ex.Message}); try again when the other update has finished", ex);
                    }
                }
                catch (UnauthorizedAccessException ex)
                {
                    throw new UpdateHistoryException(FilePath, $"the history lock '{LockPath}' cannot be opened: {ex.Message}", ex);
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 200);
            }
        }

        private static JsonSerializerOptions CreateJsonOptions()
        {
            var options = new JsonSerializerOptions
            {
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                WriteIndented = false,
            };
            options.Converters.Add(new JsonStringEnumConverter());
            return options;
        }
    }

    /// <summary>Log messages of the update history (EventIds 280-289).</summary>
    internal static partial class HistoryLog
    {
        [LoggerMessage(EventId = 280, Level = LogLevel.Debug, Message = "History: recorded {Kind} of server {Server} ({Outcome}) in {Path}")]
        public static partial void Appended(ILogger logger, string server, string kind, UpdateOutcome outcome, string path);

        [LoggerMessage(EventId = 281, Level = LogLevel.Warning, Message = "History {Path}: line {Line} is not a readable record and is skipped ({Reason})")]
        public static partial void LineSkipped(ILogger logger, string path, int line, string reason);

        [LoggerMessage(EventId = 282, Level = LogLevel.Warning, Message = "History {Path}: the last line was incomplete (an earlier writer stopped mid-line); the new record starts on a new line")]
        public static partial void TornLineTerminated(ILogger logger, string path);
    }
}
