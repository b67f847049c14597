using System;
using System.Text;

namespace ArkManager.Images.Rcon
{
    /// <summary>
    /// One Source RCON packet: little-endian int32 size (of what follows), int32 id, int32 type, the body as a
    /// NUL-terminated string, and an empty NUL-terminated string.
    /// </summary>
    internal readonly struct RconPacket
    {
        /// <summary>Client to server: log in with the password in the body.</summary>
        public const int ServerDataAuth = 3;

        /// <summary>Server to client: the login result (id -1 when the password is wrong).</summary>
        public const int ServerDataAuthResponse = 2;

        /// <summary>Client to server: run the command in the body.</summary>
        public const int ServerDataExecCommand = 2;

        /// <summary>Server to client: (part of) a command's output. Client to server: an empty marker the server mirrors.</summary>
        public const int ServerDataResponseValue = 0;

        /// <summary>The largest body a server sends in one packet (replies longer than this are split).</summary>
        public const int MaxBodyLength = 4096;

        /// <summary>The largest size field this client accepts; some servers send a little more than the nominal 4096 + 10.</summary>
        public const int MaxSize = 16 * 1024;

        /// <summary>The smallest valid size field: id, type and the two terminators.</summary>
        public const int MinSize = 10;

        public RconPacket(int id, int type, byte[] body)
        {
            Id = id;
            Type = type;
            Body = body;
        }

        public int Id { get; }

        public int Type { get; }

        /// <summary>The body bytes, without the terminators.</summary>
        public byte[] Body { get; }

        /// <summary>The body as text (UTF-8; ASCII is a subset).</summary>
        public string Text => Encoding.UTF8.GetString(Body);

        /// <summary>Encodes a packet with a UTF-8 body.</summary>
        public static byte[] Encode(int id, int type, string body) => Encode(id, type, Encoding.UTF8.GetBytes(body ?? string.Empty));

        /// <summary>Encodes a packet; the body must not contain NUL bytes.</summary>
        public static byte[] Encode(int id, int type, byte[] body)
        {
            if (body is null)
            {
                throw new ArgumentNullException(nameof(body));
            }

            if (Array.IndexOf(body, (byte)0) >= 0)
            {
                throw new ArgumentException("An RCON packet body cannot contain NUL characters.", nameof(body));
            }

            if (body.Length + MinSize > MaxSize)
            {
                throw new ArgumentException($"An RCON packet body cannot be longer than {MaxSize - MinSize} bytes.", nameof(body));
            }

            var packet = new byte[4 + MinSize + body.Length];
            WriteInt32(packet, 0, MinSize + body.Length);
            WriteInt32(packet, 4, id);
            WriteInt32(packet, 8, type);
            Buffer.BlockCopy(body, 0, packet, 12, body.Length);
            return packet;
        }

        /// <summary>
        /// Decodes one packet from the start of <paramref name="buffer"/>[offset..offset+count). Returns false when more bytes
        /// are needed; throws <see cref="FormatException"/> when the size field is impossible.
        /// </summary>
        public static bool TryDecode(byte[] buffer, int offset, int count, out RconPacket packet, out int consumed)
        {
            packet = default;
            consumed = 0;
            if (count < 4)
            {
                return false;
            }

            var size = ReadInt32(buffer, offset);
            if (size < MinSize || size > MaxSize)
            {
                throw new FormatException($"invalid RCON packet size {size}");
            }

            if (count < 4 + size)
            {
                return false;
            }

            var id = ReadInt32(buffer, offset + 4);
            var type = ReadInt32(buffer, offset + 8);
            var bodyStart = offset + 12;
            var bodyMax = size - 8; // body + its terminator + the empty string
            var bodyLength = 0;
            while (bodyLength < bodyMax && buffer[bodyStart + bodyLength] != 0)
            {
                bodyLength++;
            }

            var body = new byte[bodyLength];
            Buffer.BlockCopy(buffer, bodyStart, body, 0, bodyLength);
            packet = new RconPacket(id, type, body);
            consumed = 4 + size;
            return true;
        }

        internal static int ReadInt32(byte[] buffer, int offset) =>
            buffer[offset] | (buffer[offset + 1] << 8) | (buffer[offset + 2] << 16) | (buffer[offset + 3] << 24);

        private static void WriteInt32(byte[] buffer, int offset, int value)
        {
            buffer[offset] = (byte)value;
            buffer[offset + 1] = (byte)(value >> 8);
            buffer[offset + 2] = (byte)(value >> 16);
            buffer[offset + 3] = (byte)(value >> 24);
        }
    }
}
