using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Rcon
{
    /// <summary>RCON and safe-stop log messages (EventIds 400-499). No password is ever a parameter; commands are logged by their first word.</summary>
    internal static partial class RconLog
    {
        [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "RCON {Endpoint}: connecting (attempt {Attempt})")]
        public static partial void Connecting(ILogger logger, string endpoint, int attempt);

        [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "RCON {Endpoint}: not ready yet ({Problem}); retrying in {DelayMilliseconds} ms")]
        public static partial void NotReady(ILogger logger, string endpoint, string problem, int delayMilliseconds);

        [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "RCON {Endpoint}: logged in (attempt {Attempt})")]
        public static partial void LoggedIn(ILogger logger, string endpoint, int attempt);

        [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "RCON {Endpoint}: the server refused the password")]
        public static partial void LoginRefused(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "RCON {Endpoint}: {Command} answered {Bytes} bytes in {Packets} packet(s)")]
        public static partial void Answered(ILogger logger, string endpoint, string command, int bytes, int packets);

        [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "RCON {Endpoint}: the server dropped the session; logging in again")]
        public static partial void SessionDropped(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "RCON {Endpoint}: {Command} got no answer within {Seconds:0.#} s")]
        public static partial void CommandTimedOut(ILogger logger, string endpoint, string command, double seconds);

        [LoggerMessage(EventId = 407, Level = LogLevel.Debug, Message = "RCON {Endpoint}: ignoring a packet with id {Id} and type {Type}")]
        public static partial void IgnoredPacket(ILogger logger, string endpoint, int id, int type);

        [LoggerMessage(EventId = 408, Level = LogLevel.Debug, Message = "RCON {Endpoint}: {Command}: the end marker was not mirrored; the reply is taken as complete after {Milliseconds} ms of silence")]
        public static partial void QuietEnd(ILogger logger, string endpoint, string command, int milliseconds);

        [LoggerMessage(EventId = 409, Level = LogLevel.Debug, Message = "RCON {Endpoint}: the server closed the connection after answering {Command}")]
        public static partial void ClosedAfterReply(ILogger logger, string endpoint, string command);

        [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "RCON {Endpoint}: sending {Command}")]
        public static partial void Sending(ILogger logger, string endpoint, string command);

        [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "RCON {Endpoint}: the connection was refused and the server is past its start-up; not retrying")]
        public static partial void RefusedNoRetry(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Safe stop of {Server}: {Phase}: {Message}")]
        public static partial void Step(ILogger logger, string server, ArkManager.Images.StopPhase phase, string message);

        [LoggerMessage(EventId = 421, Level = LogLevel.Warning, Message = "Safe stop of {Server}: falling back to Docker's stop: {Reason}")]
        public static partial void FallingBack(ILogger logger, string server, string reason);

        [LoggerMessage(EventId = 422, Level = LogLevel.Information, Message = "Safe stop of {Server} finished in {Seconds:0.0} s: RCON {UsedRcon}, saved {Saved}, exited by DoExit {ExitedByDoExit}, Docker stop {FellBack}")]
        public static partial void Finished(ILogger logger, string server, double seconds, bool usedRcon, bool saved, bool exitedByDoExit, bool fellBack);

        [LoggerMessage(EventId = 424, Level = LogLevel.Information, Message = "Safe stop of {Server}: stopping with Docker's stop: {Reason}")]
        public static partial void StoppingWithoutRcon(ILogger logger, string server, string reason);

        [LoggerMessage(EventId = 425, Level = LogLevel.Information, Message = "Safe stop of {Server}: {Seconds:0.#} s spent on RCON count against the stop timeout; Docker's stop gets {StopSeconds} s")]
        public static partial void StopBudget(ILogger logger, string server, double seconds, long stopSeconds);

        [LoggerMessage(EventId = 423, Level = LogLevel.Warning, Message = "Safe stop of {Server}: {Problem}")]
        public static partial void StepProblem(ILogger logger, string server, string problem);
    }
}
