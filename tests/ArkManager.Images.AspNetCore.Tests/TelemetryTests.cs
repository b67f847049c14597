using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ArkManager.Images.AspNetCore.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ArkManager.Images.AspNetCore.Tests;

/// <summary>
/// The library's ActivitySource and Meter ("ArkManager.Images") seen through OpenTelemetry's in-memory exporter, over the
/// sandbox engine. Other tests of this process use the same source and meter at the same time, so every assertion
/// selects this test's image or its own root span.
/// </summary>
public sealed class TelemetryTests
{
    private static readonly ActivitySource TestSource = new("ArkManager.Images.Tests.Telemetry");

    [Fact]
    public async Task One_update_produces_the_span_tree_and_the_counter_and_histogram_points()
    {
        using var host = new WebHost();
        var server = await host.NewServerAsync("otel-" + Guid.NewGuid().ToString("N")[..6]);
        host.Sandbox.PushVariant("v2", host.Image);
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource("ArkManager.Images", TestSource.Name).AddInMemoryExporter(spans).Build();
        using var meter = Sdk.CreateMeterProviderBuilder().AddMeter("ArkManager.Images").AddInMemoryExporter(metrics).Build();
        meter.ForceFlush();
        var before = Points(metrics);
        metrics.Clear();

        ImageUpdateResult result;
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test-root"))
        {
            Assert.NotNull(root);
            traceId = root.TraceId;
            result = await host.Manager.UpdateImageAsync(host.Image, new UpdateOptions { HealthTimeout = TimeSpan.FromSeconds(60), StableFor = TimeSpan.FromSeconds(1) });
        }

        tracer.ForceFlush();
        meter.ForceFlush();
        var after = Points(metrics);
        Assert.True(result.Succeeded, result.Summary);
        var updated = Assert.Single(result.Servers);
        Assert.Equal(UpdateOutcome.Updated, updated.Outcome);

        // The tree: the caller's span holds one check, one pull and one update (this server); the update holds each step in order.
        var mine = spans.Where(s => s.TraceId == traceId).ToList();
        var rootSpan = Assert.Single(mine, s => s.OperationName == "test-root");
        var check = Assert.Single(mine, s => s.OperationName == "arkmanager.check");
        Assert.Equal(rootSpan.SpanId, check.ParentSpanId);
        Assert.Equal(host.Image, check.GetTagItem("arkmanager.image"));
        Assert.Equal("update_available", check.GetTagItem("arkmanager.outcome"));
        var pull = Assert.Single(mine, s => s.OperationName == "arkmanager.pull");
        Assert.Equal(rootSpan.SpanId, pull.ParentSpanId);
        Assert.Equal("succeeded", pull.GetTagItem("arkmanager.outcome"));
        Assert.True(pull.StartTimeUtc >= check.StartTimeUtc + check.Duration, "the pull starts after the check ended");
        var update = Assert.Single(mine, s => s.OperationName == "arkmanager.update");
        Assert.Equal(rootSpan.SpanId, update.ParentSpanId);
        Assert.Equal(server.Name, update.GetTagItem("arkmanager.server"));
        Assert.Equal("Update", update.GetTagItem("arkmanager.kind"));
        Assert.Equal("updated", update.GetTagItem("arkmanager.outcome"));
        Assert.Equal(ActivityStatusCode.Unset, update.Status);
        var steps = mine.Where(s => s.OperationName == "arkmanager.update.step").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.All(steps, s => Assert.Equal(update.SpanId, s.ParentSpanId));
        Assert.Equal(updated.Steps.Select(s => s.Step.ToString()), steps.Select(s => (string?)s.GetTagItem("arkmanager.step")));
        Assert.Equal(new[] { "Snapshot", "Create", "Stop", "RenameOld", "RenameNew", "Start", "HealthGate", "Commit" }, steps.Select(s => (string?)s.GetTagItem("arkmanager.step")));
        Assert.DoesNotContain(mine, s => s.OperationName == "arkmanager.rollback");

        // Counters: this image's check (update_available), pull (succeeded) and update (updated), one each.
        Assert.Equal(1, Delta(before, after, "arkmanager.images.checks", ("image", host.Image), ("outcome", "update_available")));
        Assert.Equal(1, Delta(before, after, "arkmanager.images.pulls", ("image", host.Image), ("outcome", "succeeded")));
        Assert.Equal(1, Delta(before, after, "arkmanager.images.updates", ("image", host.Image), ("kind", "Update"), ("outcome", "updated")));
        Assert.Equal(0, Delta(before, after, "arkmanager.images.updates", ("image", host.Image), ("outcome", "rolled_back")));

        // Histograms: every step of this update was recorded (count up by at least one, the sum by at least its duration).
        foreach (var step in updated.Steps)
        {
            var (count, sum) = HistogramDelta(before, after, "arkmanager.images.update.step.duration", ("step", step.Step.ToString()), ("status", "completed"));
            Assert.True(count >= 1, $"no duration point for {step.Step}");
            Assert.True(sum >= step.Duration.TotalSeconds - 0.001, $"{step.Step}: sum grew by {sum}, the step took {step.Duration.TotalSeconds}");
        }

        var down = HistogramDelta(before, after, "arkmanager.images.server.downtime", ("kind", "Update"), ("outcome", "updated"));
        Assert.True(down.Count >= 1);
        var stopToHealthy = updated.Steps.Where(s => s.Step >= UpdateStep.Stop && s.Step <= UpdateStep.HealthGate).Sum(s => s.Duration.TotalSeconds);
        Assert.True(down.Sum >= stopToHealthy - 0.001, $"downtime grew by {down.Sum} s; Stop to HealthGate took {stopToHealthy} s");

        // No tag carries an error text or an environment value: only the known keys.
        var keys = mine.SelectMany(s => s.TagObjects.Select(t => t.Key)).Distinct().ToList();
        Assert.Subset(new HashSet<string> { "arkmanager.image", "arkmanager.registry", "arkmanager.state", "arkmanager.outcome", "arkmanager.server", "arkmanager.kind", "arkmanager.step", "error.type" }, keys.ToHashSet());
    }

    [Fact]
    public async Task A_check_against_an_unreachable_registry_counts_as_failed()
    {
        // A local image tagged for a registry on a loopback port nobody listens on.
        var port = ClosedPort();
        var image = $"127.0.0.1:{port}/telemetry/down-{Guid.NewGuid().ToString("N")[..8]}:latest";
        using var host = new WebHost();
        await host.Manager.PullImageAsync(host.Image);
        host.Sandbox.Docker("tag", host.Image, image);
        try
        {
            var spans = new List<Activity>();
            var metrics = new List<Metric>();
            using var tracer = Sdk.CreateTracerProviderBuilder().AddSource("ArkManager.Images").AddInMemoryExporter(spans).Build();
            using var meter = Sdk.CreateMeterProviderBuilder().AddMeter("ArkManager.Images").AddInMemoryExporter(metrics).Build();

            var check = await host.Manager.CheckImageUpdateAsync(image);
            // Positive control in the same window: the reachable registry's image counts as a check that did not fail.
            var control = await host.Manager.CheckImageUpdateAsync(host.Image);

            tracer.ForceFlush();
            meter.ForceFlush();
            var points = Points(metrics);
            Assert.Equal(ImageUpdateState.RegistryUnreachable, check.State);
            Assert.Equal(ImageUpdateState.UpToDate, control.State);
            Assert.Equal(1, Sum(points, "arkmanager.images.checks", ("image", image), ("outcome", "failed")));
            Assert.Equal(0, Sum(points, "arkmanager.images.checks", ("image", image), ("outcome", "up_to_date")));
            Assert.Equal(1, Sum(points, "arkmanager.images.checks", ("image", host.Image), ("outcome", "up_to_date")));
            Assert.Equal(0, Sum(points, "arkmanager.images.checks", ("image", host.Image), ("outcome", "failed")));
            var span = Assert.Single(spans, s => s.OperationName == "arkmanager.check" && (string?)s.GetTagItem("arkmanager.image") == image);
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal("RegistryUnreachable", span.GetTagItem("arkmanager.state"));
            Assert.Equal("failed", span.GetTagItem("arkmanager.outcome"));
        }
        finally
        {
            host.Sandbox.TryDocker("rmi", image);
        }
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed record Point(string Metric, IReadOnlyDictionary<string, string?> Tags, double Sum, long Count);

    /// <summary>The cumulative points of every exported metric (the last export of each wins).</summary>
    private static List<Point> Points(List<Metric> metrics)
    {
        var result = new Dictionary<string, Point>();
        foreach (var metric in metrics)
        {
            foreach (ref readonly var p in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, string?>();
                foreach (var tag in p.Tags)
                {
                    tags[tag.Key] = tag.Value?.ToString();
                }

                var histogram = metric.MetricType == MetricType.Histogram;
                var point = new Point(metric.Name, tags, histogram ? p.GetHistogramSum() : p.GetSumLong(), histogram ? p.GetHistogramCount() : p.GetSumLong());
                result[metric.Name + "|" + string.Join(",", tags.OrderBy(t => t.Key).Select(t => t.Key + "=" + t.Value))] = point;
            }
        }

        return result.Values.ToList();
    }

    private static IEnumerable<Point> Matching(List<Point> points, string metric, (string Key, string Value)[] tags) =>
        points.Where(p => p.Metric == metric && tags.All(t => p.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    private static long Sum(List<Point> points, string metric, params (string Key, string Value)[] tags) =>
        Matching(points, metric, tags).Sum(p => p.Count);

    private static long Delta(List<Point> before, List<Point> after, string metric, params (string Key, string Value)[] tags) =>
        Sum(after, metric, tags) - Sum(before, metric, tags);

    private static (long Count, double Sum) HistogramDelta(List<Point> before, List<Point> after, string metric, params (string Key, string Value)[] tags) =>
        (Matching(after, metric, tags).Sum(p => p.Count) - Matching(before, metric, tags).Sum(p => p.Count),
         Matching(after, metric, tags).Sum(p => p.Sum) - Matching(before, metric, tags).Sum(p => p.Sum));
}
