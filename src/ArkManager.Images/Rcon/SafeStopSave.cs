using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.Docker;
using static ArkManager.Images.Rcon.SafeStopText;

namespace ArkManager.Images.Rcon
{
    /// <summary>The save step of a safe stop: SaveWorld, confirmed by its answer and by a newer modification time of the save.</summary>
    internal static class SafeStopSave
    {
        /// <summary>How long to keep checking the save's modification time after "World Saved".</summary>
        private static readonly TimeSpan SaveCheckWindow = TimeSpan.FromSeconds(5);

        private static readonly TimeSpan SaveCheckInterval = TimeSpan.FromMilliseconds(250);

        /// <summary>
        /// SaveWorld (a second time when the first gets no answer or a wrong one) until it answers "World Saved" and
        /// <see cref="SafeStopOptions.SavePath"/> shows a modification after the command.
        /// </summary>
        /// <exception cref="SafeStopStepFailedException">The save could not be confirmed.</exception>
        public static async Task SaveAsync(RconClient client, IContainerOperations containers, string id, SafeStopOptions options, Action<string> report, CancellationToken cancellationToken)
        {
            string problem = "no attempt was made";
            for (var attempt = 1; attempt <= 2; attempt++)
            {
                report(attempt == 1 ? "Saving the world (SaveWorld)" : $"Saving the world again (SaveWorld, attempt 2): {problem}");
                var before = await containers.GetPathModifiedAsync(id, options.SavePath, cancellationToken).ConfigureAwait(false);
                var sentAt = DateTime.UtcNow;
                var watch = Stopwatch.StartNew();
                string reply;
                try
                {
                    reply = await client.ExecuteAsync("SaveWorld", options.SaveTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (RconException ex) when (attempt == 1 && (ex.Kind == RconErrorKind.Timeout || ex.Kind == RconErrorKind.Unavailable))
                {
                    problem = ex.Message;
                    continue;
                }

                if (reply.IndexOf(SafeStop.WorldSavedText, StringComparison.OrdinalIgnoreCase) < 0)
                {
                    problem = reply.Trim().Length == 0 ? "SaveWorld gave no answer" : $"SaveWorld answered '{Shorten(reply)}' instead of '{SafeStop.WorldSavedText}'";
                    continue;
                }

                // The answer says the save is done: the save directory must show it (an update after the command).
                var window = options.SaveTimeout - watch.Elapsed;
                if (window > SaveCheckWindow || window <= TimeSpan.Zero)
                {
                    window = SaveCheckWindow;
                }

                var checkWatch = Stopwatch.StartNew();
                while (true)
                {
                    var after = await containers.GetPathModifiedAsync(id, options.SavePath, cancellationToken).ConfigureAwait(false);
                    if (after is null)
                    {
                        problem = $"the save path {options.SavePath} cannot be read in the container (set SafeStopOptions.SavePath)";
                    }
                    else if (after.Value >= sentAt || (before != null && after.Value > before.Value))
                    {
                                                report($"World Saved ({options.SavePath} updated at {after.Value.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} UTC).");
                        return;
                    }
                    else
                    {
                        problem = $"SaveWorld answered '{SafeStop.WorldSavedText}' but {options.SavePath} was not updated (last change {after.Value.ToString("u", CultureInfo.InvariantCulture)})";
                    }

                    if (checkWatch.Elapsed >= window)
                    {
                        break;
                    }

                    await Task.Delay(SaveCheckInterval, cancellationToken).ConfigureAwait(false);
                }
            }

            throw new SafeStopStepFailedException("the world save could not be confirmed: " + problem);
        }
    }
}
