using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.PowerShell.Engine;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell
{
    /// <summary>
    /// The base of every ArkManager.Images cmdlet: the common <c>-DockerHost</c> and <c>-ConfigPath</c> parameters, a
    /// lazily built <see cref="IArkImageManager"/>, cancellation on Ctrl+C, and the bridge that runs the library's
    /// asynchronous calls on the thread pool while the pipeline thread writes their output, progress and log messages.
    /// </summary>
    /// <remarks>
    /// The help of every cmdlet is generated at build time from these XML comments (module/build/New-ArkModuleHelp.ps1):
    /// a cmdlet's <c>summary</c> is its synopsis, <c>remarks</c> its description, each <c>example</c> (a <c>code</c> and
    /// <c>para</c>s) an example, <c>input</c>/<c>output</c> the pipeline types, <c>note</c> the notes, <c>seealso</c> the
    /// related links, <c>parameter name="WhatIf"</c> (and Confirm) the text of those parameters; each parameter's
    /// <c>summary</c> is its description. The notes below are shown by every cmdlet.
    /// </remarks>
    /// <note>Every command takes -DockerHost and -ConfigPath. Errors carry a specific ErrorId (for example ImageMissing,
    /// ImagePullFailed, DockerUnavailable, InvalidConfiguration, InvalidImageReference, ServerNotFound) and the image or
    /// server as target object. A broken configuration and an unreachable Docker daemon end the command
    /// (DockerUnavailable, InvalidConfiguration); other failures are per item and obey -ErrorAction. -Verbose shows the
    /// library's log messages.</note>
    public abstract class ArkCmdlet : PSCmdlet, IDisposable
    {
        private readonly AsyncBridge _bridge = new AsyncBridge();
        private readonly object _managerLock = new object();
        private StreamPreferences _preferences = new StreamPreferences();
        private ArkLogging? _logging;
        private ArkManagerOptions? _options;
        private IArkImageManager? _manager;
        private bool _disposed;

        /// <summary>The Docker endpoint: unix:///var/run/docker.sock, npipe://./pipe/docker_engine or tcp://host:2376.
        /// Overrides the dockerHost of the configuration file and DOCKER_HOST. Without it the endpoint is resolved like
        /// the Docker CLI does (DOCKER_HOST, the current docker context, the platform default).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DockerHost { get; set; }

        /// <summary>With several hosts configured (the configuration file's "hosts"): only these hosts. Servers may also be
        /// named host/name. Without it every configured host takes part; an unreachable host is a non-terminating error
        /// (ErrorId DockerUnavailable, the host as target) and the other hosts' results are still written.</summary>
        [Parameter]
        [Alias("Host")]
        [ValidateNotNullOrEmpty]
        public string[]? HostName { get; set; }

        /// <summary>The JSON configuration file (requiredImages, dockerHost, insecureRegistries, stateDirectory, ...).
        /// Relative paths are relative to the current PowerShell location. Default: the file named by ARKMANAGER_CONFIG,
        /// else /etc/arkmanager/config.json or %ProgramData%\ArkManager\config.json when it exists. A broken file stops
        /// the command with an InvalidConfiguration error that names the file and the line.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ConfigPath { get; set; }

        /// <summary>Cancelled when the user presses Ctrl+C (StopProcessing).</summary>
        protected CancellationToken CancellationToken => _bridge.Token;

        /// <summary>The options in effect: the configuration file, then <see cref="DockerHost"/>. Loaded in BeginProcessing.</summary>
        protected ArkManagerOptions Options => _options ??= OptionsLoader.Load(this, ConfigPath, DockerHost, HostName);

        /// <summary>The manager, built on first use (nothing connects until its first call).</summary>
        protected IArkImageManager Manager
        {
            get
            {
                lock (_managerLock)
                {
                    if (_disposed)
                    {
                        throw new ObjectDisposedException(GetType().Name);
                    }

                    if (_manager != null)
                    {
                        return _manager;
                    }
                }

                var manager = CreateManager(Options);
                lock (_managerLock)
                {
                    _manager = manager;
                }

                return manager;
            }
        }

        /// <summary>Disposes the manager and the cancellation source.</summary>
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Captures the stream preferences and loads the options (a broken configuration ends the command here).</summary>
        protected override void BeginProcessing()
        {
            _bridge.Attach();
            _preferences = StreamPreferences.Capture(this);
            _ = Options;
        }

        /// <summary>Releases the manager.</summary>
        protected override void EndProcessing()
        {
            _bridge.Drain();
            DisposeManager();
        }

        /// <summary>Cancels the running library call (Ctrl+C).</summary>
        protected override void StopProcessing()
        {
            _bridge.Cancel();

            // A call in flight still uses the manager: it is disposed when that call has ended (Dispose).
            if (!_bridge.IsRunning)
            {
                DisposeManager();
            }
        }

        /// <summary>Releases resources.</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (_disposed || !disposing)
            {
                return;
            }

            // Outside the processing methods nothing may be written: silence the log first.
            _logging?.Dispose();
            DisposeManager();
            lock (_managerLock)
            {
                _disposed = true;
            }

            _bridge.Dispose();
        }

        /// <summary>Builds the manager; a failure (an invalid required image in the configuration, ...) ends the command.</summary>
        protected virtual IArkImageManager CreateManager(ArkManagerOptions options)
        {
            _logging ??= new ArkLogging(PostLog, level => _preferences.IsEnabled(level));
            try
            {
                // Through the engine: on PowerShell 7 the library and its dependencies live in the module's load context.
                return ArkEngine.CreateManager(options, _logging);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                ThrowTerminatingError(ErrorRecords.From(ex, options.SourceFile));
                throw; // not reached
            }
        }

        /// <summary>
        /// Runs a library call on the thread pool and pumps its output on the pipeline thread until it ends. On success
        /// returns true with the result; on failure writes the error (non-terminating for one item, terminating for
        /// the whole command, see <see cref="ErrorRecords.IsTerminating"/>) and returns false.
        /// </summary>
        /// <param name="operation">The call.</param>
        /// <param name="target">The item the call is about (the error's target when the exception names none).</param>
        /// <param name="result">The call's result.</param>
        protected bool TryInvoke<T>(Func<IArkImageManager, CancellationToken, Task<T>> operation, object? target, out T result)
        {
            result = default!;
            var task = Start(operation);
            try
            {
                result = task.GetAwaiter().GetResult();
                WriteHostErrors(result);
                return true;
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                HandleError(ex, target);
                return false;
            }
        }

        /// <summary>Writes one non-terminating error per host that could not answer a call over several hosts.</summary>
        private void WriteHostErrors(object? result)
        {
            if (result is IHostResults gathered)
            {
                foreach (var error in gathered.HostErrors)
                {
                    WriteError(new ErrorRecord(new InvalidOperationException(error.Host + ": " + error.Error), error.ErrorId, ErrorCategory.ConnectionError, error.Host));
                }
            }
        }

        /// <summary>
        /// Runs a library call like <see cref="TryInvoke{T}"/> but hands a failure back instead of writing it: returns
        /// null on success, else the exception (unwrapped), for the caller to inspect and then pass to
        /// <see cref="HandleError"/>. Ctrl+C still ends the command.
        /// </summary>
        protected Exception? Invoke<T>(Func<IArkImageManager, CancellationToken, Task<T>> operation, out T result)
        {
            result = default!;
            var task = Start(operation);
            try
            {
                result = task.GetAwaiter().GetResult();
                WriteHostErrors(result);
                return null;
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                if (ex is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
                {
                    ex = aggregate.InnerExceptions[0];
                }

                ThrowIfStopping(ex);
                return ex;
            }
        }

        /// <summary>
        /// Runs a library call that reports <see cref="UpdateProgress"/>, showing it with an
        /// <see cref="UpdateProgressWriter"/> whose records are all completed at the end, success or not. Returns null on
        /// success, else the exception (see <see cref="Invoke{T}"/>).
        /// </summary>
        /// <param name="activity">The text of the top progress record.</param>
        /// <param name="image">The image reference, when known (named in the pull record).</param>
        /// <param name="operation">The call, given the manager, the progress to report to and the cancellation token.</param>
        /// <param name="result">The call's result.</param>
        internal Exception? InvokeWithProgress<T>(string activity, string? image, Func<IArkImageManager, IProgress<UpdateProgress>, CancellationToken, Task<T>> operation, out T result)
        {
            var writer = new UpdateProgressWriter(activity, image, WriteProgress);
            var progress = new PumpedProgress<UpdateProgress>(Post, writer.Report);
            try
            {
                return Invoke((m, ct) => operation(m, progress, ct), out result);
            }
            finally
            {
                progress.Close();
                try
                {
                    writer.Complete();
                }
                catch (PipelineStoppedException)
                {
                    // Ctrl+C: the host clears progress itself.
                }
            }
        }

        /// <summary>
        /// Ends the command because the library judged an update, recreate or rollback a failure:
        /// <paramref name="exception"/> is the result's own <c>ToException()</c>, its ErrorId (UpdateRolledBack,
        /// UpdateFailed, RegistryUnreachable, ...) becomes the ErrorId, and <paramref name="result"/> the target object
        /// (the caller writes it to the pipeline first, so that a script gets it either way).
        /// </summary>
        protected void ThrowUpdateFailure(object result, ArkManagerException exception) =>
            ThrowTerminatingError(UpdateFailureRecords.Create(result, exception));

        /// <summary>Resolves a file system path relative to the current PowerShell location (no wildcards).</summary>
        protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        /// <summary>Writes the ErrorRecord of <paramref name="exception"/>: terminating for command-wide failures, else non-terminating.</summary>
        protected void HandleError(Exception exception, object? target)
        {
            if (exception is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
            {
                exception = aggregate.InnerExceptions[0];
            }

            ThrowIfStopping(exception);
            var record = ErrorRecords.From(exception, target);
            if (ErrorRecords.IsTerminating(exception))
            {
                ThrowTerminatingError(record);
            }

            WriteError(record);
        }

        /// <summary>Checks an image reference with the library's parser; writes an InvalidImageReference error and returns false when it is invalid.</summary>
        protected bool ValidateReference(string? reference)
        {
            try
            {
                ImageReference.Parse(reference);
                return true;
            }
            catch (InvalidImageReferenceException ex)
            {
                WriteError(ErrorRecords.From(ex, reference));
                return false;
            }
        }

        /// <summary>Queues an action for the pipeline thread (runs at once when already on it).</summary>
        internal void Post(Action action) => _bridge.Post(action);

        private Task<T> Start<T>(Func<IArkImageManager, CancellationToken, Task<T>> operation) => _bridge.Start(Manager, operation);

        private void ThrowIfStopping(Exception exception)
        {
            if (Stopping && (exception is OperationCanceledException || exception is ObjectDisposedException))
            {
                throw new PipelineStoppedException();
            }
        }

        private void DisposeManager()
        {
            IArkImageManager? manager;
            lock (_managerLock)
            {
                manager = _manager;
                _manager = null;
            }

            manager?.Dispose();
        }

        private void PostLog(ArkLogLevel level, string category, string message) =>
            _bridge.Post(() => LogStreams.Write(this, level, category, message));
    }
}
