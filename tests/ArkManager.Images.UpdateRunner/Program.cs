using System.Text.Json;
using System.Text.Json.Serialization;
using ArkManager.Images;

// Usage: UpdateRunner <docker-host> <state-dir> <image> [--pause-at <Step>] [--backup] [--mode update|recreate:<server>]
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: UpdateRunner <docker-host> <state-dir> <image> [--pause-at <Step>] [--backup] [--mode update|recreate:<server>]");
    return 2;
}

var pauseAt = (UpdateStep?)null;
var backup = false;
var mode = "update";
for (var i = 3; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--pause-at":
            pauseAt = Enum.Parse<UpdateStep>(args[++i]);
            break;
        case "--backup":
            backup = true;
            break;
        case "--mode":
            mode = args[++i];
            break;
    }
}

using var manager = new ArkImageManager(new ArkManagerOptions
{
    DockerHost = args[0],
    StateDirectory = args[1],
    RequiredImages = new[] { args[2] },
});
manager.TransactionStepHook = async step =>
{
    if (step == pauseAt)
    {
        Console.WriteLine("PAUSED " + step);
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite);
    }
};

var json = new JsonSerializerOptions { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };
try
{
    if (mode.StartsWith("recreate:", StringComparison.Ordinal))
    {
        var result = await manager.RecreateContainerAsync(mode["recreate:".Length..], new RecreateOptions { BackupVolumes = backup, HealthTimeout = TimeSpan.FromSeconds(60) });
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result, json));
        return result.Outcome is UpdateOutcome.Updated or UpdateOutcome.AlreadyCurrent ? 0 : 1;
    }
    else
    {
        var result = await manager.UpdateImageAsync(args[2], new UpdateOptions { BackupVolumes = backup, HealthTimeout = TimeSpan.FromSeconds(60) });
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result, json));
        return result.Succeeded ? 0 : 1;
    }
}
catch (ArkManagerException ex)
{
    Console.WriteLine("ERROR " + ex.ErrorId + " " + ex.Message);
    return 3;
}
