using System.Net.Http.Headers;
using System.Text.Json;
using ArkManager.Images.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ArkManager.Images.AspNetCore.Tests.Infrastructure;

/// <summary>
/// The sample web host over the sandbox engine, with a required image of its own (a fresh repository, v1 pushed as
/// :latest, not pulled), its own state directory, and cleanup of the servers it made.
/// </summary>
public sealed class WebHost : IDisposable
{
    private readonly List<string> _servers = new();
    private readonly List<string> _dirs = new();

    /// <param name="settings">Changes to the host's configuration.</param>
    /// <param name="uniqueLayer">Push v1 plus a layer of unique bytes, so a pull really downloads a layer.</param>
    public WebHost(Action<IDictionary<string, string?>>? settings = null, bool uniqueLayer = false)
    {
        Sandbox = Sandbox.Current;
        Image = Sandbox.UniqueRepository("web") + ":latest";
        if (uniqueLayer)
        {
            Sandbox.PushUniqueImage(Image);
        }
        else
        {
            Sandbox.PushVariant("v1", Image);
        }

        StateDirectory = TempDir("state");
        Settings = new Dictionary<string, string?>
        {
            ["ArkManager:dockerHost"] = Sandbox.DockerHost,
            ["ArkManager:requiredImages:0"] = Image,
            ["ArkManager:stateDirectory"] = StateDirectory,
            ["ArkManager:dockerConfigDirectory"] = TempDir("dockercfg"),
            ["Sample:StableForSeconds"] = "1",
            ["Sample:HealthTimeoutSeconds"] = "60",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        settings?.Invoke(Settings);
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var pair in Settings)
            {
                b.UseSetting(pair.Key, pair.Value);
            }
        });
    }

    public Sandbox Sandbox { get; }

    /// <summary>The required image of this host (in the sandbox registry; not local until pulled).</summary>
    public string Image { get; }

    public string StateDirectory { get; }

    public Dictionary<string, string?> Settings { get; }

    public WebApplicationFactory<Program> Factory { get; }

    public IArkImageManager Manager => Factory.Services.GetRequiredService<IArkImageManager>();

    /// <summary>A client signed in as <paramref name="user"/> (the sample's demo scheme); null: anonymous.</summary>
    public HttpClient Client(string? user, string? roles = null)
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.Timeout = TimeSpan.FromMinutes(5);
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add("X-Ark-User", user);
        }

        if (roles is not null)
        {
            client.DefaultRequestHeaders.Add("X-Ark-Roles", roles);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>Pulls the image (through the library, as the host's admin would) and creates a stopped-then-started server owned by <paramref name="owner"/>.</summary>
    public async Task<ServerInfo> NewServerAsync(string owner)
    {
        if (!Sandbox.ImageExists(Image))
        {
            await Manager.PullImageAsync(Image);
        }

        var name = $"{owner}-{Guid.NewGuid().ToString("N")[..8]}";
        _servers.Add(name);
        var spec = ServerFixtures.Spec(name, Image, TempDir("saved"), "vol-" + name, owner: owner);
        await Manager.NewServerAsync(spec);
        return await Manager.StartServerAsync(name);
    }

    /// <summary>Removes this server's containers and volume at the end.</summary>
    public void TrackServer(string name) => _servers.Add(name);

    public string ContainerId(string name) => Sandbox.Docker("inspect", "--format", "{{.Id}}", name);

    public string TempDir(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory("ark-web-" + prefix + "-").FullName;
        _dirs.Add(dir);
        return dir;
    }

    /// <summary>Polls GET /api/jobs/{id} until the job finished; returns its status.</summary>
    public static async Task<JsonElement> WaitForJobAsync(HttpClient client, string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await Json(await client.GetAsync("/api/jobs/" + id));
            if (status.GetProperty("state").GetString() != "running")
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Job {id} still runs after {timeout.TotalSeconds} s: {status}");
            }

            await Task.Delay(200);
        }
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (string.IsNullOrWhiteSpace(text))
        {
            return default;
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public void Dispose()
    {
        Factory.Dispose();
        foreach (var name in _servers)
        {
            // The server's container and any kept previous container (their names start with the server's name).
            foreach (var id in Sandbox.Docker("ps", "-a", "-q", "--filter", "name=" + name).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Sandbox.TryDocker("rm", "-f", id.Trim());
            }

            Sandbox.TryDocker("volume", "rm", "-f", "vol-" + name);
        }

        Sandbox.TryDocker("rmi", "-f", Image);
        foreach (var dir in _dirs)
        {
            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
