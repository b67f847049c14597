using System.Text;
using System.Text.Json;
using ArkManager.Images.Tests.Infrastructure;
using ArkManager.Images.Updates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images.Tests.History;

[Trait("Category", "Unit")]
public sealed class UpdateHistoryStoreTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("ark-history-").FullName;
    private readonly ListLoggerProvider _logs = new();

    public void Dispose() => Directory.Delete(_state, true);

    private UpdateHistoryStore Store() => new(_state, _logs.CreateLogger("history"));

    private static UpdateHistoryRecord Record(string server, DateTimeOffset started, string image = "127.0.0.1:5000/tbro98/ase-server:latest", string? owner = null, UpdateOutcome outcome = UpdateOutcome.Updated) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Kind = "Update",
        Server = server,
        Owner = owner,
        Image = image,
        OldImageId = "sha256:old",
        NewImageId = "sha256:new",
        OldDigest = "sha256:d1",
        NewDigest = "sha256:d2",
        OldContainerId = "c-old",
        NewContainerId = "c-new",
        Outcome = outcome,
        StartedAt = started,
        FinishedAt = started.AddSeconds(42),
        Steps = new[]
        {
            new StepRecord { Step = UpdateStep.Snapshot, StartedAt = started, Duration = TimeSpan.FromMilliseconds(1500), Status = "Completed" },
            new StepRecord { Step = UpdateStep.Stop, StartedAt = started.AddSeconds(2), Duration = TimeSpan.FromMinutes(3), Status = "Completed", Detail = "saved" },
        },
        BackupPath = "/backups/a.tar.gz",
    };

    [Fact]
    public async Task Append_then_read_returns_the_records_as_written()
    {
        var store = Store();
        var t0 = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var first = Record("alpha", t0);
        var second = Record("beta", t0.AddMinutes(1), outcome: UpdateOutcome.RolledBack) with { Error = "health gate failed" };
        await store.AppendAsync(first, default);
        await store.AppendAsync(second, default);

        var all = await store.ReadAsync(null, default);
        Assert.Equal(2, all.Count);
        Assert.Equal(first.Id, all[0].Id);
        Assert.Equal(UpdateOutcome.RolledBack, all[1].Outcome);
        Assert.Equal("health gate failed", all[1].Error);
        Assert.Equal(TimeSpan.FromMinutes(3), all[0].Steps[1].Duration);
        Assert.Equal(UpdateStep.Stop, all[0].Steps[1].Step);
        Assert.Equal(t0, all[0].StartedAt);

        var lines = File.ReadAllLines(Path.Combine(_state, "history", "updates.jsonl"));
        Assert.Equal(2, lines.Length);
        using var doc = JsonDocument.Parse(lines[1]);
        Assert.Equal("RolledBack", doc.RootElement.GetProperty("outcome").GetString());
        Assert.Equal("beta", doc.RootElement.GetProperty("server").GetString());
        Assert.Equal("00:03:00", doc.RootElement.GetProperty("steps")[1].GetProperty("duration").GetString());
        Assert.Equal("Stop", doc.RootElement.GetProperty("steps")[1].GetProperty("step").GetString());
    }

    [Fact]
    public async Task Filters_apply_to_server_image_since_owner_and_last()
    {
        var store = Store();
        var t0 = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);
        await store.AppendAsync(Record("a", t0, image: "ubuntu", owner: "ann"), default);
        await store.AppendAsync(Record("b", t0.AddHours(1), image: "docker.io/library/ubuntu:latest", owner: "bob"), default);
        await store.AppendAsync(Record("a", t0.AddHours(2), image: "tbro98/ase-server", owner: "ann"), default);
        // Appended last but started first: reading orders by start time.
        await store.AppendAsync(Record("c", t0.AddHours(-1), image: "tbro98/ase-server:latest"), default);

        Assert.Equal(new[] { "c", "a", "b", "a" }, (await store.ReadAsync(null, default)).Select(r => r.Server));
        Assert.Equal(2, (await store.ReadAsync(new UpdateHistoryFilter { Server = "a" }, default)).Count);
        Assert.Empty(await store.ReadAsync(new UpdateHistoryFilter { Server = "A" }, default));
        Assert.Equal(new[] { "a", "b" }, (await store.ReadAsync(new UpdateHistoryFilter { Image = "ubuntu:latest" }, default)).Select(r => r.Server));
        Assert.Equal(new[] { "c", "a" }, (await store.ReadAsync(new UpdateHistoryFilter { Image = "docker.io/tbro98/ase-server" }, default)).Select(r => r.Server));
        Assert.Equal(new[] { "b", "a" }, (await store.ReadAsync(new UpdateHistoryFilter { Since = t0.AddHours(1) }, default)).Select(r => r.Server));
        Assert.Equal(new[] { "b" }, (await store.ReadAsync(new UpdateHistoryFilter { Owner = "bob" }, default)).Select(r => r.Server));
        var lastTwo = await store.ReadAsync(new UpdateHistoryFilter { Last = 2 }, default);
        Assert.Equal(new[] { t0.AddHours(1), t0.AddHours(2) }, lastTwo.Select(r => r.StartedAt));
        Assert.Single(await store.ReadAsync(new UpdateHistoryFilter { Server = "a", Last = 1, Owner = "ann" }, default));
        Assert.Empty(await store.ReadAsync(new UpdateHistoryFilter { Last = 0 }, default));
    }

    [Fact]
    public async Task Reading_without_a_file_returns_nothing()
    {
        Assert.Empty(await Store().ReadAsync(null, default));
    }

    [Fact]
    public async Task A_torn_last_line_is_skipped_and_the_next_record_gets_its_own_line()
    {
        var store = Store();
        var t0 = DateTimeOffset.UtcNow;
        await store.AppendAsync(Record("one", t0), default);
        var path = Path.Combine(_state, "history", "updates.jsonl");
        var full = JsonSerializer.Serialize(Record("torn", t0), UpdateHistoryStore.Json);
        File.AppendAllText(path, full[..(full.Length / 2)], new UTF8Encoding(false));

        var read = await store.ReadAsync(null, default);
        Assert.Equal(new[] { "one" }, read.Select(r => r.Server));
        Assert.Contains(_logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("line 2"));

        await store.AppendAsync(Record("two", t0.AddSeconds(1)), default);
        var lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("{", lines[2]);
        Assert.Equal(new[] { "one", "two" }, (await store.ReadAsync(null, default)).Select(r => r.Server));
    }

    [Fact]
    public async Task Concurrent_writers_with_their_own_files_never_interleave()
    {
        const int writers = 8;
        const int perWriter = 50;
        var t0 = DateTimeOffset.UtcNow;
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var store = Store();
            for (var i = 0; i < perWriter; i++)
            {
                // Large records make a torn or interleaved write visible.
                await store.AppendAsync(Record($"w{w}", t0.AddMilliseconds(i)) with { Error = new string((char)('a' + w), 5000) + i }, default);
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        var lines = File.ReadAllLines(Path.Combine(_state, "history", "updates.jsonl"));
        Assert.Equal(writers * perWriter, lines.Length);
        foreach (var line in lines)
        {
            var record = JsonSerializer.Deserialize<UpdateHistoryRecord>(line, UpdateHistoryStore.Json)!;
            var w = int.Parse(record.Server[1..]);
            Assert.StartsWith(new string((char)('a' + w), 5000), record.Error);
        }

        var read = await Store().ReadAsync(null, default);
        Assert.Equal(writers * perWriter, read.Count);
        foreach (var group in read.GroupBy(r => r.Server))
        {
            var w = int.Parse(group.Key[1..]);
            var expected = Enumerable.Range(0, perWriter).Select(i => new string((char)('a' + w), 5000) + i).OrderBy(s => s, StringComparer.Ordinal);
            Assert.Equal(expected, group.Select(r => r.Error!).OrderBy(s => s, StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task A_writer_waits_for_the_lock_and_then_fails_clearly()
    {
        var store = Store();
        store.LockTimeout = TimeSpan.FromMilliseconds(300);
        Directory.CreateDirectory(store.Directory);
        using (new FileStream(store.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var ex = await Assert.ThrowsAsync<UpdateHistoryException>(() => store.AppendAsync(Record("x", DateTimeOffset.UtcNow), default));
            Assert.Contains("history lock", ex.Message);
            Assert.Equal("UpdateHistoryUnavailable", ex.ErrorId);
        }

        // Released: the same store writes.
        await store.AppendAsync(Record("x", DateTimeOffset.UtcNow), default);
        Assert.Single(await store.ReadAsync(null, default));
    }

    [Fact]
    public async Task A_held_lock_delays_the_writer_until_it_is_released()
    {
        var store = Store();
        Directory.CreateDirectory(store.Directory);
        var holder = new FileStream(store.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var append = store.AppendAsync(Record("late", DateTimeOffset.UtcNow), default);
        await Task.Delay(300);
        Assert.False(append.IsCompleted);
        holder.Dispose();
        await append.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(await store.ReadAsync(null, default));
    }
}
