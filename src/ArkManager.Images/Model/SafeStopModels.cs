using System;
using System.Collections.Generic;

namespace ArkManager.Images
{
    /// <summary>A player online on an ARK server, as ListPlayers reports it.</summary>
    public sealed record ArkPlayer
    {
        /// <summary>The position in ListPlayers' list (0-based).</summary>
        public int Index { get; init; }

        /// <summary>The player's name.</summary>
        public string Name { get; init; } = string.Empty;

        /// <summary>The player's Steam id (on ASA: the EOS id).</summary>
        public string SteamId { get; init; } = string.Empty;
    }

    /// <summary>How a server is stopped safely over RCON: countdown warnings, a confirmed world save, then DoExit.</summary>
    public sealed record SafeStopOptions
    {
        /// <summary>The default countdown: warnings 15, 10, 5 and 1 minutes before the stop.</summary>
        public static IReadOnlyList<TimeSpan> DefaultWarnings { get; } = new[]
        {
            TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1),
        };

        /// <summary>
        /// When to warn, as times before the stop (order does not matter; zero or negative entries are ignored). The first
        /// warning is sent at once, the stop follows the last one by its own time. Empty: no countdown.
        /// </summary>
        public IReadOnlyList<TimeSpan> Warnings { get; init; } = DefaultWarnings;

        /// <summary>The RCON command that shows a message to players: <c>Broadcast</c> (ASE), <c>ServerChat</c> (ASA ignores Broadcast).</summary>
        public string MessageCommand { get; init; } = "Broadcast";

        /// <summary>The warning text; <c>{0}</c> is the time left ("15 minutes", "1 minute", "30 seconds").</summary>
        public string WarningTemplate { get; init; } = "Server shutting down for maintenance in {0}. Please log out safely.";

        /// <summary>Send the countdown even when ListPlayers reports nobody online (by default it is skipped then).</summary>
        public bool WarnEvenIfEmpty { get; init; }

        /// <summary>How long SaveWorld may take (its answer, and the save file's update).</summary>
        public TimeSpan SaveTimeout { get; init; } = TimeSpan.FromMinutes(5);

        /// <summary>The save directory (or file) in the container whose modification time proves that SaveWorld wrote the save.</summary>
        public string SavePath { get; init; } = "/ark/ShooterGame/Saved/SavedArks";

        /// <summary>Do not use RCON: stop with Docker's stop (SIGTERM, then SIGKILL after the stop timeout).</summary>
        public bool SkipRcon { get; init; }

        /// <summary>The RCON log-in timeout (with retries while the port is not ready) and the timeout of every command but SaveWorld.</summary>
        public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>How long to wait for the exit after DoExit, and Docker's stop timeout; null: the container's StopTimeout (Docker's default 10 s when it has none).</summary>
        public TimeSpan? StopTimeout { get; init; }
    }

    /// <summary>The step a safe stop is at.</summary>
    public enum StopPhase
    {
        /// <summary>Connecting, counting players, and the countdown warnings.</summary>
        Warning,

        /// <summary>SaveWorld and its confirmation.</summary>
        Save,

        /// <summary>DoExit and the wait for the server to exit.</summary>
        Exit,

        /// <summary>Docker's stop (the fallback, or when RCON is not used).</summary>
        DockerStop,

        /// <summary>Finished.</summary>
        Done,
    }

    /// <summary>A progress report of a safe stop.</summary>
    public sealed record StopProgress
    {
        /// <summary>The server being stopped.</summary>
        public string Server { get; init; } = string.Empty;

        /// <summary>The step.</summary>
        public StopPhase Phase { get; init; }

        /// <summary>What happens (never a password).</summary>
        public string Message { get; init; } = string.Empty;
    }

    /// <summary>How a safe stop went.</summary>
    public sealed record SafeStopResult
    {
        /// <summary>The server.</summary>
        public string Server { get; init; } = string.Empty;

        /// <summary>True when an RCON session was opened.</summary>
        public bool UsedRcon { get; init; }

        /// <summary>The warning messages sent to players, in order.</summary>
        public IReadOnlyList<string> WarningsSent { get; init; } = Array.Empty<string>();

        /// <summary>The players online when the stop began (empty when unknown or nobody).</summary>
        public IReadOnlyList<ArkPlayer> PlayersOnline { get; init; } = Array.Empty<ArkPlayer>();

        /// <summary>True when SaveWorld answered "World Saved" and the save was updated after the command.</summary>
        public bool Saved { get; init; }

        /// <summary>True when the server exited by itself after DoExit.</summary>
        public bool ExitedByDoExit { get; init; }

        /// <summary>True when Docker's stop was used (RCON skipped, not configured, or a step failed).</summary>
        public bool FellBackToDockerStop { get; init; }

        /// <summary>Why Docker's stop was used, or why nothing was done; null when the RCON stop went through.</summary>
        public string? Reason { get; init; }

        /// <summary>The container's exit code, when it is known.</summary>
        public long? ExitCode { get; init; }

        /// <summary>How long the stop took (countdown included).</summary>
        public TimeSpan Duration { get; init; }
    }
}
