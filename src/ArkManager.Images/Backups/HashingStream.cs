using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Backups
{
    /// <summary>A pass-through stream that counts and SHA-256-hashes every byte read from or written to the inner stream.</summary>
    internal sealed class HashingStream : Stream
    {
        private readonly Stream _inner;
        private readonly bool _leaveOpen;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private string? _digest;

        public HashingStream(Stream inner, bool leaveOpen)
        {
            _inner = inner;
            _leaveOpen = leaveOpen;
        }

        public long BytesHashed { get; private set; }

        public override bool CanRead => _inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => _inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesHashed;
            set => throw new NotSupportedException();
        }

        /// <summary>The SHA-256 (hex) of everything so far; the stream must not be used afterwards.</summary>
        public string Finish() => _digest ??= VolumeContent.ToHex(_hash.GetHashAndReset());

        /// <summary>Reads (and hashes) whatever is left of the inner stream.</summary>
        public async Task DrainAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[81920];
            while (await ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = _inner.Read(buffer, offset, count);
            Append(buffer, offset, read);
            return read;
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            var read = await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            Append(buffer, offset, read);
            return read;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _inner.Write(buffer, offset, count);
            Append(buffer, offset, count);
        }

        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            await _inner.WriteAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            Append(buffer, offset, count);
        }

        public override void Flush() => _inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
                if (!_leaveOpen)
                {
                    _inner.Dispose();
                }
            }

            base.Dispose(disposing);
        }

        private void Append(byte[] buffer, int offset, int count)
        {
            if (count > 0)
            {
                _hash.AppendData(buffer, offset, count);
                BytesHashed += count;
            }
        }
    }
}
