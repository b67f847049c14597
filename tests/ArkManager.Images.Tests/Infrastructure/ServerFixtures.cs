using System.Globalization;

namespace ArkManager.Images.Tests.Infrastructure;

/// <summary>Servers made of the stand-in ARK image, with data in a named volume and a bind mount.</summary>
public static class ServerFixtures
{
    public static ServerSpec Spec(string name, string image, string bindDir, string volume, double shutdownSeconds = 1, string? owner = null, TimeSpan? stopTimeout = null) => new()
    {
        Name = name,
        Image = image,
        Network = "none",
        RestartPolicy = "no",
        StopTimeout = stopTimeout ?? TimeSpan.FromSeconds(60),
        Owner = owner,
        Environment = new Dictionary<string, string>
        {
            ["ARK_STARTUP_DELAY"] = "0.5",
            ["ARK_SAVE_INTERVAL"] = "3600",
            ["ARK_SHUTDOWN_SAVE_SECONDS"] = shutdownSeconds.ToString(CultureInfo.InvariantCulture),
            ["SESSION_NAME"] = "Test Island",
        },
        Volumes = new[]
        {
            new VolumeMapping { Source = bindDir, Target = "/ark/ShooterGame/Saved/SavedArks" },
            new VolumeMapping { Source = volume, Target = "/ark/ShooterGame/Saved/Config" },
        },
        Labels = new Dictionary<string, string> { ["test"] = "updates" },
    };

    /// <summary>Writes a file into a named volume (through a throw-away container) and returns its content.</summary>
    public static string SeedVolume(Sandbox sandbox, string volume, string content)
    {
        sandbox.Docker("run", "--rm", "--network", "none", "-v", volume + ":/v", "--entrypoint", "/bin/sh", sandbox.ImageV1,
            "-c", $"echo '{content}' > /v/GameUserSettings.ini");
        return content;
    }

    public static string ReadVolume(Sandbox sandbox, string volume) =>
        sandbox.Docker("run", "--rm", "--network", "none", "-v", volume + ":/v", "--entrypoint", "/bin/cat", sandbox.ImageV1, "/v/GameUserSettings.ini");

    public static async Task WaitForLogAsync(Sandbox sandbox, string container, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (sandbox.Docker("logs", container).Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (InvalidOperationException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"'{text}' did not appear in the log of {container} within {timeout}");
    }

    public static string ContainerField(Sandbox sandbox, string container, string format) => sandbox.Docker("inspect", "--format", format, container);

    public static bool ContainerExists(Sandbox sandbox, string container)
    {
        try
        {
            sandbox.Docker("inspect", "--format", "{{.Id}}", container);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
