// A C# application using the ArkManager.Images NuGet package through dependency injection:
// AddArkImageManagement registers IArkImageManager; the sample prints the Docker engine and the required images' status.
//
//   ARKMANAGER_SAMPLE_DOCKER_HOST   the Docker endpoint (unset: DOCKER_HOST, the docker context, the platform default)
//   ARKMANAGER_SAMPLE_IMAGE         the image to report on (unset: the configured required images)
//   ARKMANAGER_SAMPLE_EXPECTED_VERSION  when set, fail unless the package of that version is the one loaded
using System;
using System.Reflection;
using System.Threading;
using ArkManager.Images;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

var dockerHost = Environment.GetEnvironmentVariable("ARKMANAGER_SAMPLE_DOCKER_HOST");
var image = Environment.GetEnvironmentVariable("ARKMANAGER_SAMPLE_IMAGE");
var expectedVersion = Environment.GetEnvironmentVariable("ARKMANAGER_SAMPLE_EXPECTED_VERSION");

var services = new ServiceCollection();
services.AddLogging(logging => logging.AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
services.AddArkImageManagement(options => options with
{
    DockerHost = string.IsNullOrEmpty(dockerHost) ? options.DockerHost : dockerHost,
    RequiredImages = string.IsNullOrEmpty(image) ? options.RequiredImages : new[] { image },
});

await using var provider = services.BuildServiceProvider();
var manager = provider.GetRequiredService<IArkImageManager>();

var library = typeof(IArkImageManager).Assembly;
var version = library.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
Console.WriteLine($"ArkManager.Images {version} ({library.Location})");
if (!string.IsNullOrEmpty(expectedVersion) && version.Split('+')[0] != expectedVersion)
{
    Console.Error.WriteLine($"Expected the package of version {expectedVersion}, loaded {version}.");
    return 2;
}

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
try
{
    var engine = await manager.GetEngineInfoAsync(timeout.Token);
    Console.WriteLine($"Docker {engine.Version} ({engine.Os}), API {engine.ApiVersion}, at {engine.Endpoint} ({engine.EndpointSource})");

    foreach (var status in await manager.GetImageStatusAsync(timeout.Token))
    {
        Console.WriteLine(status.Present
            ? $"{status.Image}: present, {status.Info?.Id} ({status.Info?.Digest ?? "no registry digest"})"
            : $"{status.Image}: missing");
    }

    return 0;
}
catch (ArkManagerException ex)
{
    Console.Error.WriteLine($"{ex.ErrorId}: {ex.Message}");
    return 1;
}
