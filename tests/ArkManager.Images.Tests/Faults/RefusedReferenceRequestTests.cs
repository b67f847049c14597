using ArkManager.Images.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// A refused image reference never costs a registry request: thousands of generated references whose registry is the
/// fault front go through the manager's check and update; the front counts what it receives. Positive control in the
/// same window: a valid reference of a local image makes exactly one manifest HEAD at the same front.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RefusedReferenceRequestTests : SandboxTestBase
{
    [Fact]
    public async Task Refused_references_send_no_request_and_a_valid_one_sends_exactly_one_HEAD()
    {
        using var front = new FaultFront(Sandbox.Registry);
        var direct = Sandbox.UniqueRepository("r") + ":latest";
        Sandbox.PushUniqueImage(direct);
        var image = front.Host + direct[direct.IndexOf('/', StringComparison.Ordinal)..];
        TrackImage(direct);
        TrackImage(image);
        using var manager = new ArkImageManager(new ArkManagerOptions
        {
            DockerHost = Sandbox.DockerHost,
            RequiredImages = new[] { image },
            StateDirectory = TempDir("state"),
            DockerConfigDirectory = TempDir("dockercfg"),
        }, LoggerFactory.Create(b => b.AddProvider(Logs)));
        await manager.PullImageAsync(image);
        var g = new BadInputGenerator(20261204);
        var problems = new List<string>();
        int generated = 0, refused = 0;
        var before = front.Requests.Count;
        for (var i = 0; i < 2000 && refused < 1500; i++)
        {
            var reference = g.ImageReference(front.Host);
            generated++;
            if (ImageReference.TryParse(reference, out _, out _))
            {
                continue;
            }

            refused++;
            try
            {
                if (i % 2 == 0)
                {
                    await manager.CheckImageUpdateAsync(reference);
                }
                else
                {
                    var result = await manager.UpdateImageAsync(reference);
                    problems.Add($"#{i} update of '{reference}' returned {result.Succeeded}");
                }

                problems.Add($"#{i} '{reference}' was not refused");
            }
            catch (ArkManagerException ex) when (ex.ErrorId == "InvalidImageReference")
            {
            }
            catch (Exception ex) when (ex is ArgumentException && string.IsNullOrWhiteSpace(reference))
            {
            }
            catch (Exception ex)
            {
                problems.Add($"#{i} '{reference}': {ex.GetType().Name}: {ex.Message}");
            }
        }

        var afterRefused = front.Requests.Count;
        var check = await manager.CheckImageUpdateAsync(image);
        var heads = front.Requests.Skip(afterRefused).ToList();

        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
        Assert.Equal(0, afterRefused - before);
        Assert.Equal(ImageUpdateState.UpToDate, check.State);
        Assert.Single(heads);
        Assert.StartsWith("HEAD /v2/", heads[0], StringComparison.Ordinal);
        Assert.True(refused > 500, refused.ToString());
        ReliabilityFigures.Record("badInput", "refusedReferencesAtTheFront", new Dictionary<string, object>
        {
            ["generated"] = generated, ["refused"] = refused, ["requestsForRefused"] = afterRefused - before, ["requestsForValidControl"] = heads.Count,
        });
    }
}
