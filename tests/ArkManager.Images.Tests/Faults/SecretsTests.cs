using System.Text;
using ArkManager.Images.Tests.Infrastructure;
using ArkManager.Images.Tests.Registry;
using Microsoft.Extensions.Logging;
using static ArkManager.Images.Tests.Infrastructure.ServerFixtures;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// A run with secrets everywhere a user puts them: a registry password (Basic auth at the fault front, from the Docker
/// configuration) and an RCON/admin password in the server's environment, through pull, update, rollback, backup, a
/// refused login and stop. Then every file of the state directory and of the backup folder, every captured log line
/// (all levels), every result text and exception message is searched for each secret: found 0 (positive control: the
/// same search finds a planted copy).
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecretsTests : SandboxTestBase
{
    [Fact]
    public async Task No_secret_reaches_the_state_directory_the_logs_the_results_or_the_exceptions()
    {
        var registryUser = "ark-" + Guid.NewGuid().ToString("N")[..6];
        var registryPassword = "RegPw-" + Guid.NewGuid().ToString("N");
        var rconPassword = "RconPw-" + Guid.NewGuid().ToString("N");
        var adminPassword = "AdminPw-" + Guid.NewGuid().ToString("N");
        var wrongPassword = "WrongPw-" + Guid.NewGuid().ToString("N");
        var basic = DockerConfig.Basic(registryUser, registryPassword);
        var secrets = new[] { registryPassword, rconPassword, adminPassword, wrongPassword, basic, DockerConfig.Basic(registryUser, wrongPassword) };

        using var front = new FaultFront(Sandbox.Registry) { BasicCredential = basic };
        front.Set(FaultKind.BasicAuth);
        var direct = Sandbox.UniqueRepository("s") + ":latest";
        Sandbox.PushUniqueImage(direct);
        var image = front.Host + direct[direct.IndexOf('/', StringComparison.Ordinal)..];
        TrackImage(direct);
        TrackImage(image);
        var state = TempDir("state");
        var dockerConfig = TempDir("dockercfg");
        DockerConfig.WriteAuth(dockerConfig, front.Host, registryUser, registryPassword);
        ArkImageManager NewManager(string configDir) => new(new ArkManagerOptions
        {
            DockerHost = Sandbox.DockerHost,
            RequiredImages = new[] { image },
            StateDirectory = state,
            DockerConfigDirectory = configDir,
            RegistryTimeout = TimeSpan.FromSeconds(5),
        }, LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace)));
        using var manager = NewManager(dockerConfig);
        var texts = new List<string>();
        var name = UniqueName("sec");
        var volume = "vol-" + name;
        TrackContainer(name);
        TrackContainer(name + "-ark-new");
        TrackContainer(name + "-ark-old");
        var backups = TempDir("backups");

        await manager.PullImageAsync(image);
        SeedVolume(Sandbox, volume, "volume-data-" + name);
        var spec = Spec(name, image, TempDir("saved"), volume);
        var env = new Dictionary<string, string>(spec.Environment!) { ["ARK_RCON_PASSWORD"] = rconPassword, ["ARK_ADMIN_PASSWORD"] = adminPassword, ["ServerAdminPassword"] = adminPassword };
        await manager.NewServerAsync(spec with { Environment = env, RconPasswordVariable = "ARK_RCON_PASSWORD" });
        await manager.StartServerAsync(name);
        Assert.True(front.Authenticated > 0, "the pull must have used the registry password");

        Sandbox.PushUniqueImage(direct);
        var update = await manager.UpdateImageAsync(image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(60) });
        Assert.True(update.Succeeded, update.Summary);
        texts.Add(update.Summary);
        texts.AddRange(update.Servers.Select(s => s.Error ?? string.Empty));
        var rollback = await manager.RollbackAsync(name);
        Assert.True(rollback.Succeeded, rollback.Error);
        texts.Add(rollback.Error ?? string.Empty);
        await manager.StopServerAsync(name);
        var backup = await manager.BackupServerAsync(name, backups);
        texts.Add(backup.ToString());

        // A refused registry login and a failing RCON: their messages must not carry the password either.
        DockerConfig.WriteAuth(dockerConfig, front.Host, registryUser, wrongPassword);
        using (var wrong = NewManager(dockerConfig))
        {
            var refused = await wrong.UpdateImageAsync(image);
            Assert.False(refused.Succeeded);
            Assert.Equal("RegistryAuthenticationFailed", refused.ErrorId);
            texts.Add(refused.Summary);
            texts.Add(refused.Error ?? string.Empty);
            texts.Add(refused.ToException()!.ToString());
        }

        try
        {
            await manager.SendRconCommandAsync(name, "ListPlayers");
        }
        catch (ArkManagerException ex)
        {
            texts.Add(ex.ToString());
        }

        foreach (var record in await manager.GetUpdateHistoryAsync(new UpdateHistoryFilter { Server = name }))
        {
            texts.Add(System.Text.Json.JsonSerializer.Serialize(record));
        }

        var files = Directory.EnumerateFiles(state, "*", SearchOption.AllDirectories).Concat(Directory.EnumerateFiles(backups, "*", SearchOption.AllDirectories)).ToList();
        Assert.Contains(files, f => f.Contains("snapshots", StringComparison.Ordinal));
        var logLines = Logs.Lines;

        List<string> Search(IEnumerable<string> inFiles, IEnumerable<string> inTexts)
        {
            var found = new List<string>();
            foreach (var file in inFiles)
            {
                var bytes = File.ReadAllBytes(file);
                var content = Encoding.UTF8.GetString(bytes) + Encoding.Latin1.GetString(bytes);
                found.AddRange(secrets.Where(s => content.Contains(s, StringComparison.Ordinal)).Select(s => $"{file}: {s[..8]}…"));
            }

            var i = 0;
            foreach (var text in inTexts)
            {
                found.AddRange(secrets.Where(s => text.Contains(s, StringComparison.Ordinal)).Select(s => $"text #{i}: {s[..8]}…: {text[..Math.Min(200, text.Length)]}"));
                i++;
            }

            return found;
        }

        var leaks = Search(files, logLines.Concat(texts));

        // Positive control: the same search finds a planted copy of each secret, in a file and in a text.
        var planted = Path.Combine(state, "planted.txt");
        File.WriteAllText(planted, string.Join("\n", secrets.Take(3)));
        var control = Search(new[] { planted }, new[] { "log line with " + secrets[4] });
        File.Delete(planted);
        Assert.Equal(4, control.Count);

        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(20)));
        Assert.True(logLines.Count > 20, logLines.Count.ToString());
        Assert.Equal("true", Sandbox.Docker("volume", "inspect", "--format", "true", volume));
        Assert.Equal("volume-data-" + name, ReadVolume(Sandbox, volume));

        ReliabilityFigures.Record("secrets", "registryAndRconPasswords", new Dictionary<string, object>
        {
            ["secrets"] = secrets.Length,
            ["operations"] = "pull, new, start, update, rollback, backup, stop, refused login (wrong password), RCON command",
            ["filesSearched"] = files.Count,
            ["logLinesSearched"] = logLines.Count,
            ["textsSearched"] = texts.Count,
            ["secretsFound"] = leaks.Count,
            ["plantedCopiesFound"] = control.Count,
            ["containersLost"] = 0,
        });
    }
}
