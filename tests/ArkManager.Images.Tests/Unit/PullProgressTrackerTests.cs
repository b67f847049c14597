using ArkManager.Images.Images;

namespace ArkManager.Images.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class PullProgressTrackerTests
{
    [Fact]
    public void Fraction_grows_with_download_and_extraction()
    {
        var t = new PullProgressTracker("img");
        t.Update("a", "Pulling fs layer", null, null);
        t.Update("b", "Pulling fs layer", null, null);
        Assert.Equal(0, t.OverallFraction);
        t.Update("a", "Downloading", 50, 100);
        var half = t.OverallFraction;
        Assert.True(half > 0 && half < 0.5, half.ToString());
        t.Update("a", "Download complete", null, null);
        t.Update("a", "Extracting", 100, 100);
        t.Update("a", "Pull complete", null, null);
        Assert.Equal(0.5, t.OverallFraction, 3);
        t.Update("b", "Already exists", null, null);
        Assert.Equal(1.0, t.OverallFraction, 3);
    }

    [Fact]
    public void Larger_layers_weigh_more()
    {
        var t = new PullProgressTracker("img");
        t.Update("small", "Downloading", 10, 10);
        t.Update("big", "Downloading", 0, 990);
        t.Update("small", "Pull complete", null, null);
        Assert.True(t.OverallFraction < 0.05, t.OverallFraction.ToString());
    }

    [Fact]
    public void Fraction_never_goes_backwards_for_a_layer()
    {
        var t = new PullProgressTracker("img");
        t.Update("a", "Extracting", 50, 100);
        var before = t.OverallFraction;
        t.Update("a", "Downloading", 1, 100);
        Assert.True(t.OverallFraction >= before);
    }

    [Fact]
    public void Image_wide_messages_and_digest()
    {
        var t = new PullProgressTracker("img");
        var p = t.Update(null, "Pulling from tbro98/ase-server", null, null);
        Assert.Null(p.LayerId);
        Assert.Empty(p.Layers);
        t.Update(null, "Digest: sha256:abc", null, null);
        Assert.Equal("sha256:abc", t.Digest);
        var done = t.Complete();
        Assert.True(done.Completed);
        Assert.Equal(1.0, done.OverallFraction);
    }

    [Fact]
    public void Snapshot_lists_layers_in_arrival_order()
    {
        var t = new PullProgressTracker("img");
        t.Update("z", "Waiting", null, null);
        var p = t.Update("a", "Downloading", 5, 10);
        Assert.Equal(new[] { "z", "a" }, p.Layers.Select(l => l.Id));
        Assert.Equal(5, p.Current);
        Assert.Equal(10, p.Total);
    }
}
