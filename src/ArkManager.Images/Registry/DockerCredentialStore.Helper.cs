using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ArkManager.Images.Registry
{
    // Running a docker-credential-* helper process and reading its answer.
    internal sealed partial class DockerCredentialStore
    {
        private async Task<RegistryCredential?> RunHelperAsync(string helper, string registry, string serverAddress, CancellationToken cancellationToken)
        {
            if (helper.IndexOfAny(new[] { '/', '\\' }) >= 0 || helper.Contains("..") || helper.Trim().Length != helper.Length)
            {
                RegistryLog.HelperFailed(_logger, helper, registry, "the helper name is not a plain name");
                return null;
            }

            var path = ResolveHelperPath(helper);
            if (path is null)
            {
                RegistryLog.HelperNotInstalled(_logger, helper, registry);
                return null;
            }

            var startInfo = new ProcessStartInfo(path, "get")
            {
                UseShellExecute = false,
                CreateNoWindow = true,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };

            using var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
            var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.Exited += (_, _) => exited.TrySetResult(true);
            try
            {
                process.Start();
            }
            catch (Exception ex) when (ex is Win32Exception || ex is InvalidOperationException)
            {
                RegistryLog.HelperFailed(_logger, helper, registry, "it could not be started: " + ex.Message);
                throw new CredentialHelperException(helper, registry, "could not be started (" + ex.Message + ")", ex);
            }

            var stopwatch = Stopwatch.StartNew();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await process.StandardInput.WriteAsync(serverAddress).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited before reading its input; its exit code and output tell the rest.
            }

            using (var timeout = new CancellationTokenSource(_helperTimeout))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
            {
                var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                using (linked.Token.Register(() => stopped.TrySetResult(true)))
                {
                    await Task.WhenAny(exited.Task, stopped.Task).ConfigureAwait(false);
                }
            }

            if (!exited.Task.IsCompleted && !HasExited(process))
            {
                Kill(process);
                cancellationToken.ThrowIfCancellationRequested();
                var problem = $"did not answer within {_helperTimeout.TotalSeconds:0.#} s and was stopped";
                RegistryLog.HelperFailed(_logger, helper, registry, problem);
                throw new CredentialHelperException(helper, registry, problem);
            }

            // The helper has exited; a child it left behind could still hold the pipes open, so bound the wait for them.
            var rest = _helperTimeout - stopwatch.Elapsed;
            var streams = Task.WhenAll(stdout, stderr);
            if (await Task.WhenAny(streams, Task.Delay(rest > TimeSpan.FromSeconds(1) ? rest : TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false) != streams)
            {
                cancellationToken.ThrowIfCancellationRequested();
                const string problem = "exited but its output did not end";
                RegistryLog.HelperFailed(_logger, helper, registry, problem);
                throw new CredentialHelperException(helper, registry, problem);
            }

            var output = stdout.Result;
            var exitCode = process.ExitCode;
            if (exitCode != 0)
            {
                var message = (output.Trim().Length > 0 ? output : stderr.Result).Trim();
                if (message.IndexOf("credentials not found", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    RegistryLog.HelperHasNoCredentials(_logger, helper, registry);
                    return null;
                }

                var problem = $"failed with exit code {exitCode}" + (SafeExcerpt(message) is string excerpt ? ": " + excerpt : string.Empty);
                RegistryLog.HelperFailed(_logger, helper, registry, problem);
                throw new CredentialHelperException(helper, registry, problem);
            }

            return ParseHelperOutput(helper, registry, output);
        }

        private RegistryCredential? ParseHelperOutput(string helper, string registry, string output)
        {
            string? username = null;
            string? secret = null;
            try
            {
                using var document = JsonDocument.Parse(output);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    username = GetString(document.RootElement, "Username");
                    secret = GetString(document.RootElement, "Secret");
                }
                else
                {
                    throw new CredentialHelperException(helper, registry, "answered with JSON that is not an object of credentials");
                }
            }
            catch (JsonException ex)
            {
                // Never quote the output: it is meant to contain the secret.
                const string problem = "answered with something that is not JSON credentials";
                RegistryLog.HelperFailed(_logger, helper, registry, problem);
                throw new CredentialHelperException(helper, registry, problem, new InvalidDataException($"invalid JSON at line {(ex.LineNumber ?? 0) + 1}"));
            }

            if (string.IsNullOrEmpty(username) && string.IsNullOrEmpty(secret))
            {
                RegistryLog.HelperHasNoCredentials(_logger, helper, registry);
                return null;
            }

            var isToken = username == TokenUsername;
            return new RegistryCredential(username ?? string.Empty, secret ?? string.Empty, isToken) { Source = "credential helper '" + helper + "'" };
        }

        /// <summary>The first line of a helper's error text, if it does not look like it could carry credentials.</summary>
        private static string? SafeExcerpt(string message)
        {
            if (message.Length == 0 || message.IndexOf("secret", StringComparison.OrdinalIgnoreCase) >= 0 || message.IndexOf("password", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return null;
            }

            var line = message.Split('\n')[0].Trim();
            return line.Length > 200 ? line.Substring(0, 200) + "…" : line;
        }

        private string? ResolveHelperPath(string helper)
        {
            var name = HelperPrefix + helper;
            var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var extensions = windows
                ? new[] { ".exe", ".cmd", ".bat", string.Empty }
                : new[] { string.Empty };
            IEnumerable<string> directories = _helperDirectory is not null
                ? new[] { _helperDirectory }
                : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Where(d => d.Trim().Length > 0);
            foreach (var directory in directories)
            {
                foreach (var extension in extensions)
                {
                    try
                    {
                        var candidate = Path.Combine(directory.Trim().Trim('"'), name + extension);
                        if (File.Exists(candidate))
                        {
                            return candidate;
                        }
                    }
                    catch (ArgumentException)
                    {
                        // A PATH entry with invalid characters: skip it.
                    }
                }
            }

            return null;
        }

        private static bool HasExited(Process process)
        {
            try
            {
                return process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }

        private static void Kill(Process process)
        {
            try
            {
#if NET
                process.Kill(entireProcessTree: true);
#else
                process.Kill();
#endif
            }
            catch (Exception ex) when (ex is InvalidOperationException || ex is Win32Exception || ex is NotSupportedException)
            {
                // Already gone.
            }
        }
    }
}
