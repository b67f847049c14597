using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ArkManager.Images.PowerShell.Infrastructure;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Lists the managed ARK servers, or the servers an image update would affect.</summary>
    /// <remarks>
    /// <para>Outputs one ServerInfo per managed server (a container labelled io.arkmanager.server): name, state,
    /// status, image, container id, stop timeout and signal, ports and labels. A name without wildcards that matches no
    /// server is a non-terminating ServerNotFound error (category ObjectNotFound); a wildcard pattern that matches
    /// nothing outputs nothing.</para>
    /// <para>With -Image it outputs the servers created from that image reference instead, as AffectedServer objects:
    /// also the servers that still run an older image the tag pointed to before. OnNewestImage tells whether a server
    /// already runs the image the tag names locally now; NewestImageId is that image. These are the servers
    /// Update-ArkImage recreates.</para>
    /// <para>With -Owner only the servers of that owner are listed (the io.arkmanager.owner label, see New-ArkServer
    /// -Owner and Register-ArkServer -Owner); a named server of another owner is reported as ServerNotFound. Servers
    /// adopted with Register-ArkServer are listed too (IsRegistered is true until their first recreate).</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <output type="ArkManager.Images.ServerInfo">One per server.</output>
    /// <output type="ArkManager.Images.AffectedServer">With -Image: one per server created from the image, with the
    /// image it runs and whether that is the newest local image of the reference.</output>
    /// <example>
    /// <code>Get-ArkServer</code>
    /// <para>Lists every server.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer -Name 'island*' | Stop-ArkServer</code>
    /// <para>Stops the servers whose name starts with island.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer -Owner alice</code>
    /// <para>Lists the servers of the owner alice.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer -Image 'tbro98/ase-server:latest' | Where-Object { -not $_.OnNewestImage }</code>
    /// <para>Lists the servers that do not run the newest local image of tbro98/ase-server:latest yet: the ones
    /// Update-ArkServer or Update-ArkImage would recreate.</para>
    /// </example>
    /// <seealso cref="NewArkServerCommand"/>
    /// <seealso cref="StartArkServerCommand"/>
    /// <seealso cref="StopArkServerCommand"/>
    /// <seealso cref="UpdateArkImageCommand"/>
    /// <seealso cref="RegisterArkServerCommand"/>
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
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>An image reference, e.g. tbro98/ase-server:latest: lists the servers created from it (including
        /// those still on an older image of the tag) as AffectedServer objects instead of ServerInfo. Looks locally
        /// only.</summary>
        [Parameter(ParameterSetName = ImageSet, Mandatory = true)]
        [Alias("Reference")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkImageCompleter))]
        public string Image { get; set; } = string.Empty;

        /// <summary>Only the servers of this owner (the io.arkmanager.owner label). Without it, every server is listed
        /// whatever its owner.</summary>
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
        /// <summary>The server name, also the container name: 1 to 128 letters, digits, _ . or -.</summary>
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
                    Cluster = string.IsNullOrEmpty(Cluster) ? null : Cluster,
                    RconPort = RconPort,
                    RconPasswordVariable = string.IsNullOrEmpty(RconPasswordVariable) ? null : RconPasswordVariable,
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

    /// <summary>Starts ARK servers. Refuses, without pulling, when a server's image is missing locally.</summary>
    /// <remarks>
    /// <para>Starts each server and outputs it. When the image a server was created from is not present locally the
    /// start is refused with the ErrorId ImageMissing (category ObjectNotFound) and the message names the
    /// Install-ArkImage command that pulls it; nothing is pulled automatically. An unknown name is a ServerNotFound
    /// error.</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <input type="ArkManager.Images.ServerInfo">Servers from Get-ArkServer.</input>
    /// <output type="ArkManager.Images.ServerInfo">The started server.</output>
    /// <parameter name="WhatIf">Shows what would happen without doing it. Nothing is contacted, pulled, created,
    /// started or stopped.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Start-ArkServer -Name island</code>
    /// <para>Starts the server island.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer | Where-Object State -ne 'running' | Start-ArkServer</code>
    /// <para>Starts every server that is not running.</para>
    /// </example>
    /// <seealso cref="StopArkServerCommand"/>
    /// <seealso cref="GetArkServerCommand"/>
    /// <seealso cref="InstallArkImageCommand"/>
    [Cmdlet(VerbsLifecycle.Start, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class StartArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names. Accepts strings and ServerInfo objects (Get-ArkServer).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
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

    /// <summary>Stops ARK servers safely: countdown warnings to the players, a confirmed world save and DoExit over
    /// RCON, or Docker's stop with the server's stop timeout.</summary>
    /// <remarks>
    /// <para>When the server has RCON settings (New-ArkServer -RconPort), the stop runs over RCON: when players are
    /// online (or with -WarnEvenIfEmpty) a countdown of warnings is sent (default 15, 10, 5 and 1 minutes before the
    /// stop; -WarningMinutes changes it, -NoWarning skips it), then SaveWorld, whose answer and the updated save file
    /// prove the save, then DoExit, and the command waits for the container to exit. When the server has no RCON
    /// settings, or a step fails, Docker's stop is used instead: the server's stop signal, then a kill after its stop
    /// timeout (or -Timeout).</para>
    /// <para>Outputs the server as it is after the stop. How the stop went (RCON used, saved, DoExit, fallback and why,
    /// exit code, duration) is written to the verbose stream (-Verbose). The progress shows the current phase
    /// (Warning, Save, Exit, DockerStop). Ctrl+C stops waiting.</para>
    /// </remarks>
    /// <input type="System.String">Server names.</input>
    /// <input type="ArkManager.Images.ServerInfo">Servers from Get-ArkServer.</input>
    /// <output type="ArkManager.Images.ServerInfo">The stopped server.</output>
    /// <parameter name="WhatIf">Shows what would happen without doing it. Nothing is contacted, pulled, created,
    /// started or stopped.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Stop-ArkServer -Name island -Timeout 600</code>
    /// <para>Stops the server island: warns the players online 15, 10, 5 and 1 minutes before, saves the world and
    /// exits over RCON (or uses Docker's stop, waiting up to 10 minutes for the save, when it has no RCON).</para>
    /// </example>
    /// <example>
    /// <code>Stop-ArkServer -Name island -WarningMinutes 5, 1 -MessageCommand ServerChat -Verbose</code>
    /// <para>Stops an ASA server with a 5-minute countdown sent with ServerChat, and shows how the stop went.</para>
    /// </example>
    /// <example>
    /// <code>Stop-ArkServer -Name island -NoWarning -Confirm:$false</code>
    /// <para>Saves and stops island at once, without warning the players.</para>
    /// </example>
    /// <example>
    /// <code>Get-ArkServer | Stop-ArkServer -WhatIf</code>
    /// <para>Shows which servers would be stopped; stops nothing.</para>
    /// </example>
    /// <seealso cref="StartArkServerCommand"/>
    /// <seealso cref="GetArkServerCommand"/>
    /// <seealso cref="GetArkPlayerCommand"/>
    /// <seealso cref="SendArkRconCommandCommand"/>
    [Cmdlet(VerbsLifecycle.Stop, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class StopArkServerCommand : ArkCmdlet
    {
        /// <summary>The server names. Accepts strings and ServerInfo objects (Get-ArkServer).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ArkServerNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>How long to wait for the exit after DoExit and, with Docker's stop, for the world save before the
        /// container is killed: seconds (600) or a TimeSpan ('00:10:00'). Default: the server's stop timeout.</summary>
        [Parameter]
        [TimeSpanTransformation]
        public TimeSpan? Timeout { get; set; }

        /// <summary>Sends no countdown warnings: saves and stops at once.</summary>
        [Parameter]
        public SwitchParameter NoWarning { get; set; }

        /// <summary>The countdown, in minutes before the stop, e.g. 15, 10, 5, 1 (the default). The first warning is
        /// sent at once.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateRange(1, 1440)]
        public int[]? WarningMinutes { get; set; }

        /// <summary>The RCON command that shows the warnings: Broadcast (ASE, the default) or ServerChat (ASA ignores
        /// Broadcast).</summary>
        [Parameter]
        [ValidateSet(SafeStopParameters.Broadcast, SafeStopParameters.ServerChat, IgnoreCase = true)]
        public string? MessageCommand { get; set; }

        /// <summary>Sends the countdown even when nobody is online (by default it is skipped then).</summary>
        [Parameter]
        public SwitchParameter WarnEvenIfEmpty { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var options = SafeStopParameters.Build(NoWarning.IsPresent, WarningMinutes, MessageCommand, WarnEvenIfEmpty.IsPresent, Timeout, out var error);
            if (options is null)
            {
                ThrowTerminatingError(error!);
                return;
            }

            foreach (var name in Name)
            {
                var action = "Stop server (" + SafeStopParameters.Describe(options) +
                             (Timeout is TimeSpan t ? string.Format(CultureInfo.InvariantCulture, ", waiting up to {0} s", t.TotalSeconds) : string.Empty) + ")";
                if (!ShouldProcess(name, action))
                {
                    continue;
                }

                var activity = "Stopping server " + name;
                var id = ProgressActivity.ReserveIds(1);
                var progress = new PumpedProgress<StopProgress>(Post, p => WriteProgress(new ProgressRecord(id, activity, p.Phase + ": " + (string.IsNullOrEmpty(p.Message) ? p.Phase.ToString() : p.Message))));
                Exception? failure;
                SafeStopResult result;
                try
                {
                    failure = Invoke((m, ct) => m.SafeStopServerAsync(name, options, progress, ct), out result);
                }
                finally
                {
                    progress.Close();
                    try
                    {
                        WriteProgress(new ProgressRecord(id, activity, "Done") { RecordType = ProgressRecordType.Completed });
                    }
                    catch (PipelineStoppedException)
                    {
                    }
                }

                if (failure != null)
                {
                    HandleError(failure, name);
                    continue;
                }

                WriteVerbose(SafeStopParameters.Describe(result));
                if (TryInvoke((m, ct) => m.GetServerAsync(name, ct), name, out var server))
                {
                    if (server is null)
                    {
                        HandleError(new ServerNotFoundException(name), name);
                    }
                    else
                    {
                        WriteObject(server);
                    }
                }
            }
        }
    }

    /// <summary>Makes an existing container a managed ARK server, without stopping, restarting or recreating
    /// it.</summary>
    /// <remarks>
    /// <para>Adopts a container created outside this module (docker run, docker compose, another tool) under the server
    /// name -Name, so that Get-ArkServer lists it and Update-ArkImage, Update-ArkServer, Undo-ArkImageUpdate,
    /// Backup-ArkServer and Restore-ArkServer manage it. The container is not touched: the registration is kept in the
    /// state directory (stateDirectory of the configuration). The labels io.arkmanager.server (and io.arkmanager.owner)
    /// are added when the server is first recreated, which keeps every label the container already has (compose labels
    /// included).</para>
    /// <para>Registering the same container under the same name again only returns the server. A container that does
    /// not exist is a ContainerNotFound error (category ObjectNotFound); a server name taken by another container, or a
    /// container already managed under another name, is a ServerAlreadyExists error (category ResourceExists).</para>
    /// </remarks>
    /// <input type="None">This command takes no pipeline input.</input>
    /// <output type="ArkManager.Images.ServerInfo">The registered server (IsRegistered is true until its first
    /// recreate).</output>
    /// <note>Errors: ContainerNotFound (ObjectNotFound) when the container does not exist; ServerAlreadyExists
    /// (ResourceExists) when the name is taken.</note>
    /// <parameter name="WhatIf">Shows what would happen without doing it. Nothing is contacted, pulled, created,
    /// started or stopped.</parameter>
    /// <parameter name="Confirm">Asks for confirmation before each change. -Confirm:$false never asks, whatever
    /// $ConfirmPreference says (for scheduled tasks).</parameter>
    /// <example>
    /// <code>Register-ArkServer -Container ark_island_1 -Name island</code>
    /// <para>Manages the container ark_island_1, made by docker compose, as the server island. It keeps running.</para>
    /// </example>
    /// <example>
    /// <code>Register-ArkServer -Container 3f2a9c1b7d4e -Name center -Owner alice -WhatIf</code>
    /// <para>Shows what would be registered; registers nothing.</para>
    /// </example>
    /// <seealso cref="GetArkServerCommand"/>
    /// <seealso cref="UpdateArkServerCommand"/>
    /// <seealso cref="NewArkServerCommand"/>
    [Cmdlet(VerbsLifecycle.Register, "ArkServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ServerInfo))]
    public sealed class RegisterArkServerCommand : ArkCmdlet
    {
        /// <summary>The name or id of the existing container.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Container { get; set; } = string.Empty;

        /// <summary>The server name to manage the container under: the other commands take this name.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>The owner of the server (see New-ArkServer -Owner). Default: none.</summary>
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
