using System.Text.Json;
using ArkManager.Images.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArkManager.Images.Tests.Logging;

[Trait("Category", "Unit")]
public sealed class RunLogTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("ark-runlog-").FullName;

    public void Dispose() => Directory.Delete(_state, true);

    private static List<JsonElement> Lines(string path) =>
        File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public async Task A_run_writes_start_messages_and_end_as_json_lines()
    {
        var log = new RunLog(_state);
        var logger = new TeeLoggerFactory(NullLoggerFactory.Instance, log).CreateLogger("ArkManager.Images.Test");
        logger.LogInformation("outside any run");

        var result = await log.RunAsync("UpdateImage", "tbro98/ase-server:latest", async () =>
        {
            logger.LogInformation("step {Step} done", "Create");
            logger.LogDebug("debug is not written");
            await Task.Yield();
            logger.LogWarning("something to know");
            return 42;
        }, r => "answer " + r);

        Assert.Equal(42, result);
        var lines = Lines(log.FilePath);
        Assert.Equal(new[] { "run-start", "log", "log", "run-end" }, lines.Select(l => l.GetProperty("kind").GetString()));
        Assert.Single(lines.Select(l => l.GetProperty("run").GetString()).Distinct());
        Assert.Equal("step Create done", lines[1].GetProperty("message").GetString());
        Assert.Equal("Warning", lines[2].GetProperty("level").GetString());
        Assert.Contains("answer 42", lines[3].GetProperty("message").GetString());
        Assert.All(lines, l => Assert.Equal("UpdateImage", l.GetProperty("operation").GetString()));
    }

    [Fact]
    public async Task A_failed_run_ends_with_an_error_line_and_rethrows()
    {
        var log = new RunLog(_state);
        await Assert.ThrowsAsync<InvalidOperationException>(() => log.RunAsync<int>("Rollback", "island", () => throw new InvalidOperationException("boom")));
        var last = Lines(log.FilePath)[^1];
        Assert.Equal("run-end", last.GetProperty("kind").GetString());
        Assert.Equal("Error", last.GetProperty("level").GetString());
        Assert.Contains("boom", last.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_file_rotates_and_keeps_a_bounded_number_of_files()
    {
        var log = new RunLog(_state, maxBytes: 2_000, keepFiles: 3);
        var logger = new TeeLoggerFactory(NullLoggerFactory.Instance, log).CreateLogger("c");
        for (var i = 0; i < 60; i++)
        {
            await log.RunAsync("Stop", "s" + i, () =>
            {
                logger.LogInformation(new string('x', 100));
                return Task.FromResult(i);
            });
        }

        var files = Directory.GetFiles(Path.GetDirectoryName(log.FilePath)!, "arkmanager*.jsonl").Select(Path.GetFileName).OrderBy(f => f).ToList();
        Assert.Equal(new[] { "arkmanager.1.jsonl", "arkmanager.2.jsonl", "arkmanager.3.jsonl", "arkmanager.jsonl" }, files);
        foreach (var f in files)
        {
            var info = new FileInfo(Path.Combine(Path.GetDirectoryName(log.FilePath)!, f!));
            Assert.True(info.Length < 2_000 + 1_000, $"{f} is {info.Length} bytes");
            Assert.All(Lines(info.FullName), l => Assert.Equal("Stop", l.GetProperty("operation").GetString()));
        }
    }

    [Fact]
    public async Task An_unwritable_state_directory_never_fails_the_run()
    {
        var file = Path.Combine(_state, "not-a-directory");
        File.WriteAllText(file, "x");
        var log = new RunLog(file); // <file>/logs cannot be created
        Assert.Equal(7, await log.RunAsync("Pull", "x", () => Task.FromResult(7)));
    }
}
