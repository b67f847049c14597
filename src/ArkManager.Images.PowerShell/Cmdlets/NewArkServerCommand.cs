using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Creates an ARK server container from a local image. Refuses, without pulling, when the image is
    /// missing.</summary>
    /// <remarks>
    /// <para>Creates (does not start) a container named -Name from -Image, labelled as a managed server, with its
    /// environment, ports, volumes, network, stop timeout, stop signal, restart policy and labels. The image must be
    /// present locally: when it is not, the command fails with the ErrorId ImageMissing and names the Install-ArkImage
    /// command that pulls it.</para>
    /// <para>ARK needs minutes to save its world when stopped: the stop timeout defaults to 300 seconds, not Docker's
    /// 10.</para>
    /// </remarks>
    /// <input type="System.Management.Automation.PSObject">Objects with properties named like the parameters.</input>
    /// <output type="ArkManager.Images.ServerInfo">The created server.</output>
    /// <parameter name="WhatIf">Shows what would happen without doing it. Nothing is contacted, pulled, created,
    /// started or stopped.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>New-ArkServer -Name island -Image 'tbro98/ase-server:latest' -Port '7777:7777', '27015:27015', '32330:32330/tcp' -Volume 'island-data:/ark/ShooterGame/Saved' -Environment @{ SESSION_NAME = 'Island' } -StopTimeout 600</code>
    /// <para>Creates a server with its game, query and RCON ports and its save data in a named volume; a stop waits up
    /// to 10 minutes for the save.</para>
    /// </example>
    /// <example>
    /// <code>New-ArkServer -Name island -Image 'registry.example/tbro98/ase-server:latest' -AsService -Node b -Port '7777:7777', '27015:27015' -Volume 'island-data:/ark/ShooterGame/Saved'</code>
    /// <para>On a Swarm manager: creates the server as a one-replica service on the node labelled ark=b (docker node
    /// update --label-add ark=b NODE), its image pinned to the digest the registry has now (one check). The manager
    /// needs no local copy: the node pulls that digest when it starts the task, and never a newer one until an admin
    /// updates the service (Update-ArkImage).</para>
    /// </example>
    /// <example>
    /// <code>New-ArkServer -Name island -Image 'tbro98/ase-server:latest' -WhatIf</code>
    /// <para>Shows what would be created; creates nothing.</para>
    /// </example>
    /// <example>
    /// <code>New-ArkServer -Name alice-island -Image 'tbro98/ase-server:latest' -Volume 'alice-island-data:/ark/ShooterGame/Saved' -Owner alice</code>
    /// <para>Creates a server that belongs to the owner alice; Get-ArkServer -Owner alice lists it.</para>
    /// </example>
    /// <example>
    /// <code>New-ArkServer -Name island -Image 'tbro98/ase-server:latest' -Port '7777:7777', '27015:27015', '32330:32330/tcp' -Environment @{ ARK_RCON_PASSWORD = 'secret' } -RconPort 32330 -Cluster main</code>
    /// <para>Creates a server with RCON on port 32330 (its password in ARK_RCON_PASSWORD), so that Stop-ArkServer
    /// warns the players and saves the world before the stop, in the cluster main.</para>
    /// </example>
    /// <seealso cref="StartArkServerCommand"/>
    /// <seealso cref="InstallArkImageCommand"/>
    /// <seealso cref="GetArkServerCommand"/>
    [Cmdlet(VerbsCommon.New, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class NewArkServerCommand : ArkCmdlet
    {
        /// <summary>The server name, also the container name: 1 to 128 letters, digits, _ . or -. Literal: a wildcard (*, ?, [ ]) is a WildcardNotSupported error.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>The image reference; it must be present locally (see Install-ArkImage).</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string Image { get; set; } = string.Empty;

        /// <summary>Environment variables, e.g. @{ SESSION_NAME = 'My ARK'; MAX_PLAYERS = 20 }.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public Hashtable? Environment { get; set; }

        /// <summary>Published ports as [hostIp:]hostPort:containerPort[/udp|/tcp]; udp when no protocol is given (ARK
        /// game and query ports). An invalid mapping is an InvalidPortMapping error.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Ports")]
        public string[]? Port { get; set; }

        /// <summary>Volumes and bind mounts as source:/container/path[:ro], the source being a volume name or an
        /// absolute host path. The save data lives here. An invalid mapping is an InvalidVolumeMapping error.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Volumes")]
        public string[]? Volume { get; set; }

        /// <summary>The network: host, none, or the name of a network. Default: Docker's.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Network { get; set; }

        /// <summary>How long a stop waits for the world save before the container is killed: a number of seconds (600)
        /// or a TimeSpan ('00:10:00', (New-TimeSpan -Minutes 10)). Default: 300 seconds.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [TimeSpanTransformation]
        public TimeSpan? StopTimeout { get; set; }

        /// <summary>The signal that asks the server to stop, e.g. SIGTERM or SIGINT. Default: the image's.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? StopSignal { get; set; }

        /// <summary>no, on-failure, unless-stopped or always. Default: unless-stopped.</summary>
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

        /// <summary>The owner of the server, stored as the label io.arkmanager.owner: for applications that manage the
        /// servers of several users. Get-ArkServer, Update-ArkImage, Update-ArkServer, Undo-ArkImageUpdate and
        /// Get-ArkUpdateHistory take -Owner to act on one owner's servers only. Default: none.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Owner { get; set; }

        /// <summary>The cluster the server belongs to (the label io.arkmanager.cluster): Update-ArkImage -All updates
        /// the servers of one cluster one after another. Default: none.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Cluster { get; set; }

        /// <summary>The server's RCON port (the label io.arkmanager.rcon.port). It enables Send-ArkRconCommand,
        /// Get-ArkPlayer and the safe stop (warnings, SaveWorld, DoExit) of Stop-ArkServer and the updates. The port is
        /// reached on its published host port, or on 127.0.0.1 with the host network. Default: no RCON.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 65535)]
        public int? RconPort { get; set; }

        /// <summary>The environment variable of the server that holds the RCON (admin) password. Default:
        /// ARK_RCON_PASSWORD.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? RconPasswordVariable { get; set; }

        /// <summary>Creates the server as a Swarm service (the endpoint must be a Swarm manager): one replica placed on
        /// -Node, ports published in host mode on that node, the image pinned by digest. The image need not be present
        /// locally: the node pulls the pinned digest. A refusal is a SwarmServiceRefused error and creates nothing.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public SwitchParameter AsService { get; set; }

        /// <summary>With -AsService: the node the server stays on (its volumes are node-local), as the value of its node
        /// label ark (ark=VALUE) or as its node id.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Node { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (!ServerNames.IsLiteral(Name, "New-ArkServer", out var wildcard))
            {
                WriteError(wildcard!);
                return;
            }

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
                    Cluster = string.IsNullOrEmpty(Cluster) ? null : Cluster,
                    RconPort = RconPort,
                    RconPasswordVariable = string.IsNullOrEmpty(RconPasswordVariable) ? null : RconPasswordVariable,
                    AsService = AsService.IsPresent,
                    Node = string.IsNullOrEmpty(Node) ? null : Node,
                };
            }
            catch (ArgumentException ex)
            {
                WriteError(ErrorRecords.From(ex, Name));
                return;
            }

            if (!ShouldProcess(Name, AsService
                    ? $"Create server as a Swarm service on node '{Node}' from image '{Image}' pinned by digest (the node pulls it)"
                    : $"Create server container from image '{Image}'"))
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
}
