using System.Text;

namespace ArkManager.Images.Tests.Faults;

/// <summary>
/// A seeded generator of hostile input (image references, server names, configuration files, tar archives): the same
/// seed gives the same inputs, so a failure names the seed and the index that reproduce it.
/// </summary>
public sealed class BadInputGenerator(int seed)
{
    private static readonly string[] Junk =
    {
        "", " ", "\t", "\0", "..", ".", "/", "//", "\\", ":", "@", "%2e%2e", "../../../escape", "..\\..\\x", "~", "$(id)", "`id`",
        "\u202e", "\u00e9", "\ud83d\ude00", "\ufeff", "\r\n", "a b", "A", "-", "_", "__", "--", "a..b", "a//b", "?", "#", "*",
        "con", "nul", "COM1", "\u0085", "\u2028", "\ud800",
    };

    private readonly Random _random = new(seed);

    public int Seed => seed;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private bool Chance(int percent) => _random.Next(100) < percent;

    private string Chars(string alphabet, int min, int max)
    {
        var length = _random.Next(min, max + 1);
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(alphabet[_random.Next(alphabet.Length)]);
        }

        return sb.ToString();
    }

    private string AnyUnicode(int max)
    {
        var length = _random.Next(0, max + 1);
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append((char)_random.Next(0, 0x10000)); // lone surrogates included
        }

        return sb.ToString();
    }

    /// <summary>Inserts, deletes or replaces a few characters.</summary>
    public string Mutate(string text)
    {
        var sb = new StringBuilder(text);
        var edits = _random.Next(1, 4);
        for (var i = 0; i < edits; i++)
        {
            var at = sb.Length == 0 ? 0 : _random.Next(sb.Length + 1);
            switch (_random.Next(3))
            {
                case 0:
                    sb.Insert(at, Pick(Junk));
                    break;
                case 1 when sb.Length > 0 && at < sb.Length:
                    sb.Remove(at, 1);
                    break;
                default:
                    if (at < sb.Length)
                    {
                        sb[at] = Pick(Junk) is { Length: > 0 } j ? j[0] : 'X';
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>An image reference (valid, almost valid, or hostile) whose registry, when it has one, is <paramref name="registry"/> or a made-up host.</summary>
    public string ImageReference(string registry)
    {
        const string lower = "abcdefghijklmnopqrstuvwxyz0123456789";
        string Component() => Chance(85) ? Chars(lower, 1, 12) + (Chance(20) ? Pick(new[] { ".", "_", "__", "-", "--" }) + Chars(lower, 1, 6) : "") : Pick(Junk) + Chars(lower + "ABC._-", 0, 8);
        var host = _random.Next(6) switch
        {
            0 => registry,
            1 => "r.example.com",
            2 => "localhost:" + _random.Next(-5, 70000),
            3 => Chars("abcXYZ.-:[]0123456789", 1, 20),
            4 => "",
            _ => registry,
        };
        var path = string.Join("/", Enumerable.Range(0, _random.Next(1, 5)).Select(_ => Component()));
        var reference = host.Length == 0 ? path : host + "/" + path;
        if (Chance(60))
        {
            reference += ":" + (Chance(80) ? Chars("abcdefghijklmnopqrstuvwxyzABC0123456789_.-", 1, Chance(5) ? 200 : 20) : Pick(Junk));
        }

        if (Chance(20))
        {
            reference += "@" + (Chance(50) ? "sha256:" + Chars("0123456789abcdef", 64, 64) : Pick(new[] { "sha256:", "sha256:xyz", "md5:00", "sha256:" + Chars("0123456789abcdef", 10, 80), ":" }));
        }

        return _random.Next(10) switch
        {
            0 => Mutate(reference),
            1 => AnyUnicode(40),
            2 => new string('a', _random.Next(250, 5000)),
            3 => " " + reference + " ",
            _ => reference,
        };
    }

    /// <summary>A server name: valid, almost valid or hostile (traversal, separators, control characters, very long).</summary>
    public string ServerName()
    {
        const string ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
        return _random.Next(8) switch
        {
            0 => Chars("abcdefghijklmnopqrstuvwxyz0123456789", 1, 1) + Chars(ok, 0, 127),
            1 => Mutate(Chars(ok, 1, 20)),
            2 => Pick(Junk) + Chars(ok, 0, 10),
            3 => "../" + Chars(ok, 1, 10),
            4 => Chars(ok, 129, 300),
            5 => AnyUnicode(20),
            6 => Chars(ok, 1, 10) + Pick(new[] { "/", "\\", "\0", ":", "*", "\n", " ", "/../x", "%00" }) + Chars(ok, 0, 5),
            _ => Chars("abcdefghijklmnopqrstuvwxyz", 1, 10) + Pick(Junk),
        };
    }

    /// <summary>A configuration file's bytes: JSON with wrong types, unknown keys, huge values, deep nesting, invalid UTF-8, truncation.</summary>
    public byte[] ConfigFile()
    {
        string[] keys = { "dockerHost", "stateDirectory", "dockerConfigDirectory", "requiredImages", "insecureRegistries", "connectTimeoutSeconds", "dockerRequestTimeoutSeconds", "registryTimeoutSeconds", "credentialHelperTimeoutSeconds", "maxConcurrentChecks", "webhooks", "unknownKey", "DockerHost", "", "\u0000" };
        string Value(int depth) => _random.Next(depth > 3 ? 9 : 13) switch
        {
            0 => "null",
            1 => Chance(50) ? "true" : "false",
            2 => Pick(new[] { "0", "-1", "1", "1e308", "-1e308", "1.5", "99999999999999999999999", "256", "257", "NaN", "0x10", "1e-400" }),
            3 => "\"" + Pick(new[] { "", "unix:///x", "tcp://127.0.0.1:1", "tbro98/ase-server:latest", "../../etc", "\\u0000", "\\ud800", "http://[::1", "https://example.invalid/hook" }) + "\"",
            4 => "\"" + new string('x', Chance(10) ? 1 << 20 : _random.Next(0, 3000)) + "\"",
            5 => "\"" + Mutate("tbro98/ase-server:latest").Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
            6 => "\"" + Pick(new[] { "json", "discord", "Json", "slack", "Updated", "FAILED" }) + "\"",
            7 => Pick(new[] { "\"\\x\"", "'single'", "undefined", "\"unterminated" }),
            8 => "[]",
            9 => "[" + string.Join(",", Enumerable.Range(0, _random.Next(0, 5)).Select(_ => Value(depth + 1))) + "]",
            10 => "{" + string.Join(",", Enumerable.Range(0, _random.Next(0, 4)).Select(_ => "\"" + Pick(new[] { "url", "format", "events", "timeoutSeconds", "bogus" }) + "\":" + Value(depth + 1))) + "}",
            11 => new string('[', 5000) + new string(']', 5000),
            _ => "{\"a\":" + Value(depth + 1) + "}",
        };
        var members = Enumerable.Range(0, _random.Next(0, 6)).Select(_ => "\"" + Pick(keys) + "\": " + Value(0));
        var text = _random.Next(10) switch
        {
            0 => Value(0),
            1 => "",
            2 => "   ",
            _ => "{ " + string.Join(", ", members) + (Chance(10) ? "," : "") + " }" + (Chance(5) ? " trailing" : ""),
        };
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        if (Chance(15))
        {
            bytes.InsertRange(_random.Next(bytes.Count + 1), new[] { (byte)0xC3, (byte)0x28, (byte)0xFF, (byte)0xFE, (byte)0xED, (byte)0xA0, (byte)0x80 }.Take(_random.Next(1, 8)));
        }

        if (Chance(10))
        {
            bytes.InsertRange(0, new byte[] { 0xEF, 0xBB, 0xBF });
        }

        if (Chance(15) && bytes.Count > 0)
        {
            var cut = _random.Next(bytes.Count);
            bytes.RemoveRange(cut, bytes.Count - cut);
        }

        return bytes.ToArray();
    }

    public int Next(int max) => _random.Next(max);

    public int Next(int min, int max) => _random.Next(min, max);

    public bool Maybe(int percent) => Chance(percent);

    public T OneOf<T>(IReadOnlyList<T> items) => Pick(items);

    public string Junky() => Pick(Junk);
}
