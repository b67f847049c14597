using System;
using System.Collections.Concurrent;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Backups
{
    /// <summary>
    /// A write-only stream that hands its bytes, in large chunks, to a task of its own that writes them to the inner stream
    /// (the compressor, the archive hash and the file): reading the volumes and compressing them run at the same time.
    /// At most <c>chunks</c> chunks wait; a writer ahead of the consumer waits for one. A failure of the consumer surfaces
    /// on the next write and in <see cref="CompleteAsync"/>.
    /// </summary>
    internal sealed class BackgroundWriter : Stream
    {
        private readonly Stream _inner;
        private readonly ConcurrentQueue<(byte[] Buffer, int Count)> _queue = new ConcurrentQueue<(byte[], int)>();
        private readonly ConcurrentBag<byte[]> _free = new ConcurrentBag<byte[]>();
        private readonly SemaphoreSlim _items = new SemaphoreSlim(0);
        private readonly SemaphoreSlim _slots;
        private readonly int _chunkSize;
        private readonly Task _consumer;
        private readonly CancellationTokenSource _abort = new CancellationTokenSource();
        private byte[] _current;
        private int _filled;
        private bool _completed;
        private volatile ExceptionDispatchInfo? _error;

        public BackgroundWriter(Stream inner, int chunkSize = 1 << 20, int chunks = 8)
        {
            _inner = inner;
            _chunkSize = chunkSize;
            _slots = new SemaphoreSlim(chunks);
            _current = new byte[chunkSize];
            _consumer = Task.Run(ConsumeAsync);
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                ThrowIfConsumerFailed();
                var n = Math.Min(count, _chunkSize - _filled);
                Buffer.BlockCopy(buffer, offset, _current, _filled, n);
                _filled += n;
                offset += n;
                count -= n;
                if (_filled == _chunkSize)
                {
                    await HandOverAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Hands over what is left and waits until the consumer wrote everything to the inner stream.</summary>
        public async Task CompleteAsync(CancellationToken cancellationToken)
        {
            if (!_completed)
            {
                if (_filled > 0)
                {
                    await HandOverAsync(cancellationToken).ConfigureAwait(false);
                }

                _completed = true;
                _queue.Enqueue((Array.Empty<byte>(), -1));
                _items.Release();
            }

            await _consumer.ConfigureAwait(false);
        }

        // Data goes through CompleteAsync only: a flush in the middle (from a writer above) has nothing to do.
        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                if (!_completed)
                {
                    // Abandoned (a failure above): stop the consumer without writing the rest.
                    _abort.Cancel();
                    _completed = true;
                    _queue.Enqueue((Array.Empty<byte>(), -1));
                    _items.Release();
                }

                try
                {
                    _consumer.GetAwaiter().GetResult();
                }
                catch (Exception)
                {
                    // Already reported to the writer, or the backup is being discarded.
                }

                _abort.Dispose();
            }

            base.Dispose(disposing);
        }

        private async Task HandOverAsync(CancellationToken cancellationToken)
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            ThrowIfConsumerFailed();
            _queue.Enqueue((_current, _filled));
            _items.Release();
            _current = _free.TryTake(out var reused) ? reused : new byte[_chunkSize];
            _filled = 0;
        }

        private void ThrowIfConsumerFailed() => _error?.Throw();

        private async Task ConsumeAsync()
        {
            while (true)
            {
                await _items.WaitAsync().ConfigureAwait(false);
                _queue.TryDequeue(out var chunk);
                if (chunk.Count < 0 || _abort.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    await _inner.WriteAsync(chunk.Buffer, 0, chunk.Count, _abort.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // The writer sees the failure on its next write; it never waits for a slot again.
                    _error = ExceptionDispatchInfo.Capture(ex);
                    _slots.Release(int.MaxValue / 2);
                    throw;
                }

                _free.Add(chunk.Buffer);
                _slots.Release();
            }
        }
    }
}
