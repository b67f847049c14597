using System;
using System.Collections.Generic;
using System.Text;

namespace ArkManager.Images.Registry
{
    /// <summary>One challenge of a <c>WWW-Authenticate</c> header: a scheme and its parameters.</summary>
    internal sealed class AuthChallenge
    {
        public AuthChallenge(string scheme, IReadOnlyDictionary<string, string> parameters, string? token68 = null)
        {
            Scheme = scheme;
            Parameters = parameters;
            Token68 = token68;
        }

        /// <summary>The scheme as sent (<c>Bearer</c>, <c>Basic</c>, …); compare it case-insensitively.</summary>
        public string Scheme { get; }

        /// <summary>The auth-params; names are case-insensitive.</summary>
        public IReadOnlyDictionary<string, string> Parameters { get; }

        /// <summary>A token68 value given instead of parameters (rare; e.g. <c>Negotiate abc==</c>).</summary>
        public string? Token68 { get; }

        public bool IsBearer => string.Equals(Scheme, "Bearer", StringComparison.OrdinalIgnoreCase);

        public bool IsBasic => string.Equals(Scheme, "Basic", StringComparison.OrdinalIgnoreCase);

        public string? Realm => Get("realm");

        public string? Service => Get("service");

        public string? Scope => Get("scope");

        /// <summary>The <c>error</c> parameter of a Bearer challenge (e.g. <c>insufficient_scope</c>, <c>invalid_token</c>).</summary>
        public string? Error => Get("error");

        public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

        /// <summary>A description for logs (no secrets are ever part of a challenge).</summary>
        public override string ToString()
        {
            var builder = new StringBuilder(Scheme);
            var first = true;
            foreach (var pair in Parameters)
            {
                builder.Append(first ? " " : ", ").Append(pair.Key).Append("=\"").Append(pair.Value).Append('"');
                first = false;
            }

            return builder.ToString();
        }
    }

    /// <summary>
    /// Parses <c>WWW-Authenticate</c> values (RFC 7235): several challenges in one value, parameters as tokens or quoted
    /// strings with backslash escapes and commas inside (<c>scope="repository:a/b:pull,push"</c>), optional white space
    /// around <c>=</c> and commas, case-insensitive scheme and parameter names. Malformed input yields the challenges that
    /// could be read before the damage, never an exception.
    /// </summary>
    internal static class WwwAuthenticateParser
    {
        /// <summary>Parses every challenge of every given header value.</summary>
        public static IReadOnlyList<AuthChallenge> Parse(IEnumerable<string> headerValues)
        {
            var result = new List<AuthChallenge>();
            foreach (var value in headerValues)
            {
                result.AddRange(Parse(value));
            }

            return result;
        }

        /// <summary>Parses the challenges of one header value.</summary>
        public static IReadOnlyList<AuthChallenge> Parse(string? headerValue)
        {
            var result = new List<AuthChallenge>();
            if (string.IsNullOrWhiteSpace(headerValue))
            {
                return result;
            }

            var reader = new Reader(headerValue!);
            while (true)
            {
                reader.SkipSeparators();
                if (reader.AtEnd)
                {
                    break;
                }

                var scheme = reader.ReadToken();
                if (scheme.Length == 0)
                {
                    // Not a token where a scheme must start: nothing more can be trusted.
                    break;
                }

                var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                string? token68 = null;
                var broken = false;
                var spaceAfterScheme = reader.SkipWhiteSpace();

                if (spaceAfterScheme && !reader.AtEnd && reader.Current != ',')
                {
                    // Either a token68 or the first auth-param.
                    var mark = reader.Position;
                    var name = reader.ReadToken();
                    reader.SkipWhiteSpace();
                    if (name.Length > 0 && !reader.AtEnd && reader.Current == '=' && !reader.IsToken68Tail())
                    {
                        reader.Position = mark;
                        broken = !ReadParameters(reader, parameters);
                    }
                    else
                    {
                        reader.Position = mark;
                        token68 = reader.ReadToken68();
                        if (token68.Length == 0)
                        {
                            broken = true;
                        }
                    }
                }

                result.Add(new AuthChallenge(scheme, parameters, token68));
                if (broken)
                {
                    break;
                }
            }

            return result;
        }

        /// <summary>Reads <c>name=value</c> pairs separated by commas until the next challenge starts. False when malformed.</summary>
        private static bool ReadParameters(Reader reader, Dictionary<string, string> parameters)
        {
            while (true)
            {
                reader.SkipWhiteSpace();
                if (reader.AtEnd)
                {
                    return true;
                }

                var mark = reader.Position;
                var name = reader.ReadToken();
                if (name.Length == 0)
                {
                    return false;
                }

                reader.SkipWhiteSpace();
                if (reader.AtEnd || reader.Current != '=')
                {
                    // A token not followed by '=' is the scheme of the next challenge.
                    reader.Position = mark;
                    return true;
                }

                reader.Advance();
                reader.SkipWhiteSpace();
                string value;
                if (!reader.AtEnd && reader.Current == '"')
                {
                    if (!reader.TryReadQuoted(out value))
                    {
                        return false;
                    }
                }
                else
                {
                    // Lenient: an unquoted value runs to the next comma or white space (some servers send realm=https://…).
                    value = reader.ReadBareValue();
                }

                if (!parameters.ContainsKey(name))
                {
                    parameters[name] = value;
                }

                reader.SkipWhiteSpace();
                if (reader.AtEnd)
                {
                    return true;
                }

                if (reader.Current != ',')
                {
                    return false;
                }

                reader.SkipSeparators();
            }
        }

        private sealed class Reader
        {
            private readonly string _text;

            public Reader(string text)
            {
                _text = text;
            }

            public int Position { get; set; }

            public bool AtEnd => Position >= _text.Length;

            public char Current => _text[Position];

            public void Advance() => Position++;

            /// <summary>Skips spaces and tabs; true when at least one was skipped.</summary>
            public bool SkipWhiteSpace()
            {
                var start = Position;
                while (!AtEnd && (Current == ' ' || Current == '\t'))
                {
                    Position++;
                }

                return Position > start;
            }

            public void SkipSeparators()
            {
                while (!AtEnd && (Current == ' ' || Current == '\t' || Current == ','))
                {
                    Position++;
                }
            }

            public string ReadToken()
            {
                var start = Position;
                while (!AtEnd && IsTokenChar(Current))
                {
                    Position++;
                }

                return _text.Substring(start, Position - start);
            }

            public string ReadBareValue()
            {
                var start = Position;
                while (!AtEnd && Current != ',' && Current != ' ' && Current != '\t' && Current != '"')
                {
                    Position++;
                }

                return _text.Substring(start, Position - start);
            }

            /// <summary>True when the '=' at the position only ends a token68 (<c>abc==</c> followed by the end or a comma).</summary>
            public bool IsToken68Tail()
            {
                var i = Position;
                while (i < _text.Length && _text[i] == '=')
                {
                    i++;
                }

                while (i < _text.Length && (_text[i] == ' ' || _text[i] == '\t'))
                {
                    i++;
                }

                // "name = value" continues with a value; "abc==" ends at the end of the text or at a comma.
                return i >= _text.Length || _text[i] == ',';
            }

            public string ReadToken68()
            {
                var start = Position;
                while (!AtEnd && (char.IsLetterOrDigit(Current) || Current == '-' || Current == '.' || Current == '_' || Current == '~' || Current == '+' || Current == '/'))
                {
                    Position++;
                }

                while (!AtEnd && Current == '=')
                {
                    Position++;
                }

                return _text.Substring(start, Position - start);
            }

            public bool TryReadQuoted(out string value)
            {
                var builder = new StringBuilder();
                Position++; // opening quote
                while (!AtEnd)
                {
                    var c = Current;
                    Position++;
                    if (c == '"')
                    {
                        value = builder.ToString();
                        return true;
                    }

                    if (c == '\\')
                    {
                        if (AtEnd)
                        {
                            break;
                        }

                        builder.Append(Current);
                        Position++;
                        continue;
                    }

                    builder.Append(c);
                }

                value = string.Empty;
                return false;
            }

            private static bool IsTokenChar(char c)
            {
                if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
                {
                    return true;
                }

                switch (c)
                {
                    case '!':
                    case '#':
                    case '$':
                    case '%':
                    case '&':
                    case '\'':
                    case '*':
                    case '+':
                    case '-':
                    case '.':
                    case '^':
                    case '_':
                    case '`':
                    case '|':
                    case '~':
                        return true;
                    default:
                        return false;
                }
            }
        }
    }
}
