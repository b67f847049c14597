using System.Text.Json;
using System.Text.Json.Serialization;
using ArkManager.Images;

// Usage: UpdateRunner <docker-host|env> <state-dir> <image> [--pause-at <Step>] [--pause-after <Step>] [--pause-undo <Step>]
//        [--backup] [--backup-dir <dir>] [--health-timeout <seconds>] [--lock-timeout <seconds>] [--connect-timeout <seconds>] [--mode update|recreate:<server>|images]
// <docker-host> "env": the endpoint comes from DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH like the Docker CLI.
// --pause-at blocks after a step is journaled as started (before it acts), --pause-after after it acted (before it is
// journaled as completed), --pause-undo before a step is undone; each prints "PAUSED <where> <Step>" so a test can SIGKILL it there.
const string Usage = "usage: UpdateRunner <docker-host|env> <state-dir> <image> [--pause-at|--pause-after|--pause-undo <Step>] [--backup] [--backup-dir <dir>] [--health-timeout <s>] [--lock-timeout <s>] [--connect-timeout <s>] [--mode update|recreate:<server>|images]";
if (args.Length < 3)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var pauseAt = (UpdateStep?)null;
var pauseAfter = (UpdateStep?)null;
var pauseUndo = (UpdateStep?)null;
var backup = false;
string? backupDir = null;
var healthTimeout = TimeSpan.FromSeconds(60);
var lockTimeout = TimeSpan.Zero;
var connectTimeout = TimeSpan.FromSeconds(5);
var mode = "update";
for (var i = 3; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--pause-at":
            pauseAt = Enum.Parse<UpdateStep>(args[++i]);
            break;
        case "--pause-after":
            pauseAfter = Enum.Parse<UpdateStep>(args[++i]);
            break;
        case "--pause-undo":
            pauseUndo = Enum.Parse<UpdateStep>(args[++i]);
            break;
        case "--backup":
            backup = true;
            break;
        case "--backup-dir":
            backupDir = args[++i];
            break;
        case "--health-timeout":
            healthTimeout = TimeSpan.FromSeconds(double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture));
            break;
        case "--lock-timeout":
            lockTimeout = TimeSpan.FromSeconds(double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture));
            break;
        case "--connect-timeout":
            connectTimeout = TimeSpan.FromSeconds(double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture));
            break;
        case "--mode":
            mode = args[++i];
            break;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }
}

static Func<UpdateStep, Task> PauseAt(UpdateStep? target, string where) => async step =>
{
    if (step == target)
    {
        Console.WriteLine("PAUSED " + where + " " + step);
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite);
    }
};

var json = new JsonSerializerOptions { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };
try
{
    using var manager = new ArkImageManager(new ArkManagerOptions
    {
        DockerHost = args[0] == "env" ? null : args[0],
        StateDirectory = args[1],
        RequiredImages = new[] { args[2] },
        ConnectTimeout = connectTimeout,
    });
    manager.TransactionStepHook = PauseAt(pauseAt, "at");
    manager.TransactionStepActedHook = PauseAt(pauseAfter, "after");
    manager.TransactionUndoHook = PauseAt(pauseUndo, "undo");
    Console.WriteLine("READY " + Environment.ProcessId);
    Console.Out.Flush();

    if (mode == "images")
    {
        var info = await manager.GetEngineInfoAsync();
        var status = await manager.GetImageStatusAsync();
        Console.WriteLine("ENGINE " + JsonSerializer.Serialize(info, json));
        Console.WriteLine("IMAGES " + JsonSerializer.Serialize(status, json));
        return 0;
    }

    if (mode.StartsWith("recreate:", StringComparison.Ordinal))
    {
        var result = await manager.RecreateContainerAsync(mode["recreate:".Length..], new RecreateOptions { BackupVolumes = backup, BackupDirectory = backupDir, HealthTimeout = healthTimeout, LockTimeout = lockTimeout });
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result, json));
        return result.Outcome is UpdateOutcome.Updated or UpdateOutcome.AlreadyCurrent ? 0 : 1;
    }
    else
    {
        var result = await manager.UpdateImageAsync(args[2], new UpdateOptions { BackupVolumes = backup, BackupDirectory = backupDir, HealthTimeout = healthTimeout, LockTimeout = lockTimeout });
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result, json));
        return result.Succeeded ? 0 : 1;
    }
}
catch (ArkManagerException ex)
{
    Console.WriteLine("ERROR " + ex.ErrorId + " " + ex.Message);
    return 3;
}
