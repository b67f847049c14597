using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>
    /// <para type="synopsis">Lists the managed ARK servers (containers labelled io.arkmanager.server, or registered), or the servers an image update would affect.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ArkServer", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(ServerInfo), ParameterSetName = new[] { NameSet })]
    [OutputType(typeof(AffectedServer), ParameterSetName = new[] { ImageSet })]
    public sealed class GetArkServerCommand : ArkCmdlet
    {
        private const string NameSet = "Name";
        private const string ImageSet = "Image";

        /// <summary>Server names; wildcards are allowed. Default: every server.</summary>
        [Parameter(ParameterSetName = NameSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Lists the servers created from this image reference (also those still on an older image of it), as AffectedServer objects.</summary>
        [Parameter(ParameterSetName = ImageSet, Mandatory = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        public string Image { get; set; } = string.Empty;

        /// <summary>Only the servers of this owner (label io.arkmanager.owner).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ImageSet)
            {
                if (ValidateReference(Image) && TryInvoke((m, ct) => m.GetAffectedServersAsync(Image, Owner, ct), Image, out var affected))
                {
                    WriteObject(affected, enumerateCollection: true);
                }

                return;
            }

            IReadOnlyList<ServerInfo>? all = null;
            if (Name is null)
            {
                if (TryInvoke((m, ct) => Owner is null ? m.GetServersAsync(ct) : m.GetServersAsync(Owner, ct), null, out all))
                {
                    WriteObject(all, enumerateCollection: true);
                }

                return;
            }

            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    if (all is null && !TryInvoke((m, ct) => Owner is null ? m.GetServersAsync(ct) : m.GetServersAsync(Owner, ct), name, out all))
                    {
                        return;
                    }

                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                    foreach (var server in all.Where(s => pattern.IsMatch(s.Name)))
                    {
                        if (written.Add(server.ContainerId))
                        {
                            WriteObject(server);
                        }
                    }

                    continue;
                }

                if (!TryInvoke((m, ct) => m.GetServerAsync(name, ct), name, out var found))
                {
                    continue;
                }

                if (found is null || (Owner != null && !string.Equals(found.Owner, Owner, StringComparison.Ordinal)))
                {
                    HandleError(new ServerNotFoundException(name), name);
                }
                else if (written.Add(found.ContainerId))
                {
                    WriteObject(found);
                }
            }
        }
    }

    /// <summary>
    /// <para type="synopsis">Creates an ARK server container from a local image. Refuses (without pulling) when the image is missing.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class NewArkServerCommand : ArkCmdlet
    {
        /// <summary>The server name (also the container name).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>The image reference; it must be present locally (see Install-ArkImage).</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        public string Image { get; set; } = string.Empty;

        /// <summary>Environment variables (@{ SESSION_NAME = 'My ARK' }).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public Hashtable? Environment { get; set; }

        /// <summary>Published ports: <c>[hostIp:]hostPort:containerPort[/udp|/tcp]</c> (udp by default).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Ports")]
        public string[]? Port { get; set; }

        /// <summary>Volumes and bind mounts: <c>source:/container/path[:ro]</c> (a volume name or an absolute host path).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Volumes")]
        public string[]? Volume { get; set; }

        /// <summary>The network: host, none, or a network name. Default: Docker's.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Network { get; set; }

        /// <summary>How long a stop waits for the world save before the container is killed: seconds or a TimeSpan. Default: 300 s.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [TimeSpanTransformation]
        public TimeSpan? StopTimeout { get; set; }

        /// <summary>The stop signal (e.g. SIGTERM). Default: the image's.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? StopSignal { get; set; }

        /// <summary>The restart policy. Default: unless-stopped.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateSet("no", "on-failure", "unless-stopped", "always", IgnoreCase = true)]
        public string? RestartPolicy { get; set; }

        /// <summary>Extra container labels.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Labels")]
        public Hashtable? Label { get; set; }

        /// <summary>Overrides the image's command.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[]? Command { get; set; }

        /// <summary>The owner of the server (label io.arkmanager.owner), for applications that manage the servers of several users.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (!ValidateReference(Image) ||
                !TryParseAll(Port, PortMapping.Parse, "InvalidPortMapping", out var ports) ||
                !TryParseAll(Volume, VolumeMapping.Parse, "InvalidVolumeMapping", out var volumes))
            {
                return;
            }

            ServerSpec spec;
            try
            {
                spec = new ServerSpec
                {
                    Name = Name,
                    Image = Image,
                    Environment = ToDictionary(Environment, "Environment"),
                    Ports = ports,
                    Volumes = volumes,
                    Network = string.IsNullOrEmpty(Network) ? null : Network,
                    StopTimeout = StopTimeout ?? ServerSpec.DefaultStopTimeout,
                    StopSignal = string.IsNullOrEmpty(StopSignal) ? null : StopSignal,
                    RestartPolicy = string.IsNullOrEmpty(RestartPolicy) ? "unless-stopped" : RestartPolicy!.ToLowerInvariant(),
                    Labels = ToDictionary(Label, "Label"),
                    Command = Command is null || Command.Length == 0 ? null : Command,
                    Owner = string.IsNullOrEmpty(Owner) ? null : Owner,
                };
            }
            catch (ArgumentException ex)
            {
                WriteError(ErrorRecords.From(ex, Name));
                return;
            }

            if (!ShouldProcess(Name, $"Create server container from image '{Image}'"))
            {
                return;
            }

            if (TryInvoke((m, ct) => m.NewServerAsync(spec, ct), Name, out var server))
            {
                WriteObject(server);
            }
        }

        private bool TryParseAll<T>(string[]? texts, Func<string, T> parse, string errorId, out T[] result)
        {
            result = Array.Empty<T>();
            if (texts is null)
            {
                return true;
            }

            var parsed = new List<T>(texts.Length);
            foreach (var text in texts)
            {
                try
                {
                    parsed.Add(parse(text));
                }
                catch (FormatException ex)
                {
                    WriteError(ErrorRecords.Create(errorId, ErrorCategory.InvalidArgument, text, ex));
                    return false;
                }
            }

            result = parsed.ToArray();
            return true;
        }

        private static IReadOnlyDictionary<string, string> ToDictionary(Hashtable? table, string parameter)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (table is null)
            {
                return result;
            }

            foreach (DictionaryEntry entry in table)
            {
                var key = Unwrap(entry.Key) is object k ? Convert.ToString(k, CultureInfo.InvariantCulture) : null;
                if (string.IsNullOrWhiteSpace(key))
                {
                    throw new ArgumentException($"-{parameter}: a key is empty.");
                }

                var value = Unwrap(entry.Value);
                result[key!] = value is null ? string.Empty : Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            }

            return result;
        }

        private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
    }

    /// <summary>
    /// <para type="synopsis">Starts ARK servers. Refuses (without pulling) when a server's image is missing locally.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class StartArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (var name in Name)
            {
                if (ShouldProcess(name, "Start server") && TryInvoke((m, ct) => m.StartServerAsync(name, ct), name, out var server))
                {
                    WriteObject(server);
                }
            }
        }
    }

    /// <summary>
    /// <para type="synopsis">Stops ARK servers, giving the world save the server's stop timeout (or -Timeout).</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class StopArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>How long to wait for the world save before the container is killed: seconds or a TimeSpan. Default: the server's StopTimeout.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? Timeout { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            foreach (var name in Name)
            {
                var action = Timeout is TimeSpan t
                    ? string.Format(CultureInfo.InvariantCulture, "Stop server (waiting up to {0} s for the world save)", t.TotalSeconds)
                    : "Stop server";
                if (ShouldProcess(name, action) && TryInvoke((m, ct) => m.StopServerAsync(name, Timeout, ct), name, out var server))
                {
                    WriteObject(server);
                }
            }
        }
    }

    /// <summary>
    /// <para type="synopsis">Makes an existing container (one made by docker run or compose) a managed ARK server, without stopping or recreating it.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Register, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class RegisterArkServerCommand : ArkCmdlet
    {
        /// <summary>The container's name or id.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Container { get; set; } = string.Empty;

        /// <summary>The server name to manage it under.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>The owner of the server.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var action = Owner is null
                ? $"Register container '{Container}' as the managed server '{Name}'"
                : $"Register container '{Container}' as the managed server '{Name}' of owner '{Owner}'";
            if (ShouldProcess(Container, action) &&
                TryInvoke((m, ct) => m.RegisterServerAsync(Container, Name, Owner, ct), Container, out var server))
            {
                WriteObject(server);
            }
        }
    }
}
