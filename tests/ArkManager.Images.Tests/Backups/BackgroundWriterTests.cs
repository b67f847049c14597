using ArkManager.Images.Backups;

namespace ArkManager.Images.Tests.Backups;

/// <summary>The backup's compressor thread: every byte arrives in order, and a failing consumer fails the writer.</summary>
[Trait("Category", "Unit")]
public sealed class BackgroundWriterTests
{
    [Fact]
    public async Task Every_byte_arrives_in_order_across_chunks_and_the_partial_last_chunk()
    {
        var data = new byte[(3 * 4096) + 1234];
        new Random(7).NextBytes(data);
        var target = new MemoryStream();
        using (var writer = new BackgroundWriter(target, chunkSize: 4096, chunks: 2))
        {
            for (var offset = 0; offset < data.Length; offset += 1000)
            {
                await writer.WriteAsync(data, offset, Math.Min(1000, data.Length - offset), CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal(data, target.ToArray());
    }

    [Fact]
    public async Task A_failing_inner_stream_fails_the_writes_and_the_completion_instead_of_hanging()
    {
        var failing = new FailingStream();
        using var writer = new BackgroundWriter(failing, chunkSize: 16, chunks: 2);
        var chunk = new byte[16];
        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await writer.WriteAsync(chunk, 0, chunk.Length, CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
        });
        Assert.Equal("disk full", error.Message);
        Assert.True(failing.Writes >= 1);
    }

    private sealed class FailingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Writes++;
            throw new IOException("disk full");
        }
    }
}
