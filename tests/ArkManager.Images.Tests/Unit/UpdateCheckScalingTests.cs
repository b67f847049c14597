using ArkManager.Images.Docker;
using ArkManager.Images.Images;
using ArkManager.Images.Updates;

namespace ArkManager.Images.Tests.Unit;

/// <summary>The pieces of a check at scale: local digests from one image list, and the adaptive in-flight limit per registry.</summary>
[Trait("Category", "Unit")]
public sealed class UpdateCheckScalingTests
{
    private const string DigestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string DigestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static readonly IReadOnlyList<ImageDetails> Images = new[]
    {
        new ImageDetails { Id = "sha256:1", RepoTags = new[] { "tbro98/ase-server:latest" }, RepoDigests = new[] { "tbro98/ase-server@" + DigestA } },
        new ImageDetails { Id = "sha256:2", RepoTags = new[] { "127.0.0.1:5000/ark/asa:v2", "other:latest" }, RepoDigests = new[] { "127.0.0.1:5000/ark/asa@" + DigestB } },
        new ImageDetails { Id = "sha256:3", RepoTags = new[] { "tbro98/ase-server:v1" }, RepoDigests = Array.Empty<string>() },
    };

    [Fact]
    public void FindLocal_finds_an_image_by_tag_like_an_inspect_with_its_repo_digest()
    {
        var hub = ImageStore.FindLocal(Images, ImageReference.Parse("docker.io/tbro98/ase-server:latest"));
        var local = ImageStore.FindLocal(Images, ImageReference.Parse("127.0.0.1:5000/ark/asa:v2"));
        var built = ImageStore.FindLocal(Images, ImageReference.Parse("tbro98/ase-server:v1"));

        Assert.Equal(("sha256:1", DigestA), (hub!.Id, hub.Digest));
        Assert.Equal(("sha256:2", DigestB), (local!.Id, local.Digest));
        Assert.Equal("sha256:3", built!.Id);
        Assert.Null(built.Digest);
    }

    [Fact]
    public void FindLocal_finds_a_pinned_reference_by_repo_digest_and_nothing_for_an_absent_tag_or_another_repository()
    {
        Assert.Equal("sha256:2", ImageStore.FindLocal(Images, ImageReference.Parse("127.0.0.1:5000/ark/asa@" + DigestB))!.Id);
        Assert.Null(ImageStore.FindLocal(Images, ImageReference.Parse("127.0.0.1:5000/ark/asa@" + DigestA)));
        Assert.Null(ImageStore.FindLocal(Images, ImageReference.Parse("tbro98/ase-server:v2")));
        Assert.Null(ImageStore.FindLocal(Images, ImageReference.Parse("127.0.0.1:5001/ark/asa:v2")));
    }

    [Fact]
    public async Task RegistryConcurrency_grows_while_latency_dominates_up_to_its_maximum_and_not_on_fast_answers()
    {
        using var limiter = new RegistryConcurrency(2, 4);
        for (var i = 0; i < 5; i++)
        {
            await limiter.WaitAsync(CancellationToken.None);
            limiter.Release(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(2, limiter.Limit);
        for (var i = 0; i < 5; i++)
        {
            await limiter.WaitAsync(CancellationToken.None);
            limiter.Release(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(4, limiter.Limit);
        // Four slots can be taken at once, a fifth waits.
        for (var i = 0; i < 4; i++)
        {
            Assert.True(limiter.WaitAsync(CancellationToken.None).IsCompleted);
        }

        Assert.False(limiter.WaitAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task RegistryConcurrency_halves_on_429_and_retires_the_slots_in_use()
    {
        using var limiter = new RegistryConcurrency(8, 8);
        for (var i = 0; i < 8; i++)
        {
            await limiter.WaitAsync(CancellationToken.None);
        }

        limiter.BackOff();
        Assert.Equal(4, limiter.Limit);
        for (var i = 0; i < 8; i++)
        {
            limiter.Release(TimeSpan.Zero);
        }

        // Only four slots came back: a fifth concurrent wait blocks.
        for (var i = 0; i < 4; i++)
        {
            Assert.True(limiter.WaitAsync(CancellationToken.None).IsCompleted);
        }

        Assert.False(limiter.WaitAsync(CancellationToken.None).IsCompleted);
    }
}
