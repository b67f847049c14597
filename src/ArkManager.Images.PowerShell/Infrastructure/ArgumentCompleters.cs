using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.PowerShell.Engine;

namespace ArkManager.Images.PowerShell.Infrastructure
{
    /// <summary>
    /// The base of the module's tab completers: reads -DockerHost, -ConfigPath and -Owner from the command line being
    /// completed, asks the library with a short timeout, and offers the candidates that start with the typed word.
    /// Completion never fails and never waits long: any error, and a daemon that does not answer within
    /// <see cref="Timeout"/>, gives no candidates.
    /// </summary>
    public abstract class ArkArgumentCompleter : IArgumentCompleter
    {
        /// <summary>How long completion may wait for the Docker daemon (connect and each request).</summary>
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

        private static readonly char[] QuoteChars = { '\'', '"' };
        private static readonly char[] NeedsQuotes = { ' ', '\t', '$', '`', '\'', '"', '(', ')', '{', '}', ',', ';', '|', '&', '<', '>', '#' };

        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(
            string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                var word = wordToComplete ?? string.Empty;
                var quote = word.Length > 0 && Array.IndexOf(QuoteChars, word[0]) >= 0 ? word[0] : (char?)null;
                var prefix = word.Trim(QuoteChars);
                var options = LoadOptions(fakeBoundParameters);
                var owner = BoundString(fakeBoundParameters, "Owner");
                var candidates = Query(options, owner);
                return candidates
                    .Where(c => Matches(c.Text, prefix))
                    .GroupBy(c => c.Text, StringComparer.OrdinalIgnoreCase)
                    .Select(g => g.First())
                    .OrderBy(c => c.Text, StringComparer.OrdinalIgnoreCase)
                    .Select(c => new CompletionResult(Quote(c.Text, quote), c.Text, CompletionResultType.ParameterValue, c.ToolTip))
                    .ToList();
            }
            catch (Exception ex) when (!(ex is StackOverflowException) && !(ex is OutOfMemoryException))
            {
                return Array.Empty<CompletionResult>();
            }
        }

        /// <summary>Asks the library for the candidates; called with a manager whose every call must end within <see cref="Timeout"/>.</summary>
        internal abstract Task<IEnumerable<Candidate>> GetCandidatesAsync(IArkImageManager manager, ArkManagerOptions options, string? owner, CancellationToken cancellationToken);

        private IEnumerable<Candidate> Query(ArkManagerOptions options, string? owner)
        {
            var cancellation = new CancellationTokenSource(Timeout);
            IArkImageManager? manager = null;
            var task = Task.Run(async () =>
            {
                manager = ArkEngine.CreateManager(options);
                return await GetCandidatesAsync(manager, options, owner, cancellation.Token).ConfigureAwait(false);
            });

            // The library honours the timeouts itself; this bound only guards against a call that ignores them.
            var finished = task.Wait(Timeout + TimeSpan.FromMilliseconds(500));
            _ = task.ContinueWith(
                _ =>
                {
                    manager?.Dispose();
                    cancellation.Dispose();
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            if (!finished)
            {
                cancellation.Cancel();
                return Array.Empty<Candidate>();
            }

            return task.Result;
        }

        private static ArkManagerOptions LoadOptions(IDictionary? bound)
        {
            var configPath = BoundString(bound, "ConfigPath");
            var options = ArkManagerOptions.Load(string.IsNullOrEmpty(configPath) ? null : ResolvePath(configPath!));
            var dockerHost = BoundString(bound, "DockerHost");
            if (!string.IsNullOrEmpty(dockerHost))
            {
                options = options with { DockerHost = dockerHost };
            }

            return options with
            {
                ConnectTimeout = options.ConnectTimeout < Timeout ? options.ConnectTimeout : Timeout,
                DockerRequestTimeout = Timeout,
            };
        }

        // A relative -ConfigPath is relative to the PowerShell location, as for the cmdlets. Completion runs on the
        // pipeline thread of the runspace, which answers a nested command there (its SessionStateProxy would not).
        private static string ResolvePath(string path)
        {
            try
            {
                using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
                shell.AddScript("$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($args[0])").AddArgument(path);
                var resolved = shell.Invoke();
                if (resolved.Count == 1 && resolved[0]?.BaseObject is string text && !string.IsNullOrEmpty(text))
                {
                    return text;
                }
            }
            catch (Exception ex) when (ex is PSInvalidOperationException || ex is InvalidOperationException || ex is RuntimeException || ex is NotSupportedException)
            {
            }

            return Path.GetFullPath(path);
        }

        private static string? BoundString(IDictionary? bound, string name)
        {
            if (bound is null || !bound.Contains(name))
            {
                return null;
            }

            var value = bound[name];
            if (value is PSObject wrapped)
            {
                value = wrapped.BaseObject;
            }

            return value as string;
        }

        private static bool Matches(string candidate, string prefix)
        {
            if (prefix.Length == 0)
            {
                return true;
            }

            if (WildcardPattern.ContainsWildcardCharacters(prefix))
            {
                return new WildcardPattern(prefix + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant).IsMatch(candidate);
            }

            // "ase" finds "tbro98/ase-server:latest" and "127.0.0.1:5000/tbro98/ase-server:v2": any path segment may start the match.
            return candidate.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ||
                   candidate.IndexOf("/" + prefix, StringComparison.OrdinalIgnoreCase) >= 0;
        }

        private static string Quote(string text, char? quote)
        {
            if (quote is char q)
            {
                return q == '\'' ? "'" + text.Replace("'", "''") + "'" : "\"" + text.Replace("`", "``").Replace("\"", "`\"").Replace("$", "`$") + "\"";
            }

            return text.IndexOfAny(NeedsQuotes) >= 0 || text.StartsWith("@", StringComparison.Ordinal) || text.StartsWith("-", StringComparison.Ordinal)
                ? "'" + text.Replace("'", "''") + "'"
                : text;
        }

        /// <summary>One completion: the text and the tooltip shown with it.</summary>
        internal sealed class Candidate
        {
            public Candidate(string text, string toolTip)
            {
                Text = text;
                ToolTip = string.IsNullOrEmpty(toolTip) ? text : toolTip;
            }

            public string Text { get; }

            public string ToolTip { get; }
        }
    }

    /// <summary>
    /// Completes -Image: the required images of the configuration, the images the servers were created from, and every
    /// local tag of those repositories (all their local images, not only the one a tag points to).
    /// </summary>
    public sealed class ArkImageCompleter : ArkArgumentCompleter
    {
        internal override async Task<IEnumerable<Candidate>> GetCandidatesAsync(IArkImageManager manager, ArkManagerOptions options, string? owner, CancellationToken cancellationToken)
        {
            var result = new List<Candidate>();
            var statuses = await manager.GetImageStatusAsync(cancellationToken).ConfigureAwait(false);
            var repositories = new List<ImageReference>();
            foreach (var status in statuses)
            {
                result.Add(new Candidate(status.Image, status.Present ? "Required image (present, " + ShortId(status.Info?.Id) + ")" : "Required image (missing locally: Install-ArkImage pulls it)"));
                if (ImageReference.TryParse(status.Image, out var reference, out _) && reference != null)
                {
                    repositories.Add(reference);
                }

                foreach (var tag in status.Info?.RepoTags ?? Array.Empty<string>())
                {
                    if (reference != null && reference.IsSameRepository(tag))
                    {
                        result.Add(new Candidate(tag, "Local tag of " + reference.FamiliarRepository + " (" + ShortId(status.Info?.Id) + ")"));
                    }
                }
            }

            // The images the servers run (whatever their repository), and every local tag of each repository seen.
            var servers = await (owner is null ? manager.GetServersAsync(cancellationToken) : manager.GetServersAsync(owner, cancellationToken)).ConfigureAwait(false);
            foreach (var server in servers)
            {
                if (!string.IsNullOrEmpty(server.Image) && ImageReference.TryParse(server.Image, out var used, out _) && used != null)
                {
                    result.Add(new Candidate(server.Image, "Image of server " + server.Name));
                    if (!repositories.Any(r => r.IsSameRepository(server.Image)))
                    {
                        repositories.Add(used);
                    }
                }
            }

            foreach (var repository in repositories)
            {
                foreach (var tag in await manager.GetLocalTagsAsync(repository.ToString(), cancellationToken).ConfigureAwait(false))
                {
                    if (tag.IndexOf(":ark-rollback-", StringComparison.Ordinal) >= 0)
                    {
                        continue; // the library's own tag that keeps a rollback target
                    }

                    result.Add(new Candidate(tag, "Local tag of " + repository.FamiliarRepository));
                }
            }

            return result;
        }

        private static string ShortId(string? id)
        {
            if (string.IsNullOrEmpty(id))
            {
                return "no id";
            }

            var hex = id!.StartsWith("sha256:", StringComparison.Ordinal) ? id.Substring(7) : id;
            return hex.Length > 12 ? hex.Substring(0, 12) : hex;
        }
    }

    /// <summary>Completes -Name (and -Server): the names of the managed servers (of -Owner, when it is given).</summary>
    public sealed class ArkServerNameCompleter : ArkArgumentCompleter
    {
        internal override async Task<IEnumerable<Candidate>> GetCandidatesAsync(IArkImageManager manager, ArkManagerOptions options, string? owner, CancellationToken cancellationToken)
        {
            var servers = await (owner is null ? manager.GetServersAsync(cancellationToken) : manager.GetServersAsync(owner, cancellationToken)).ConfigureAwait(false);
            return servers
                .Where(s => !string.IsNullOrEmpty(s.Name))
                .Select(s => new Candidate(s.Name, s.Name + ": " + s.State + (string.IsNullOrEmpty(s.Image) ? string.Empty : ", " + s.Image)))
                .ToList();
        }
    }
}
