using System.Management.Automation;

namespace ArkManager.Images.PowerShell.Cmdlets
{
    /// <summary>Makes an existing container a managed ARK server, without stopping, restarting or recreating
    /// it.</summary>
    /// <remarks>
    /// <para>Adopts a container created outside this module (docker run, docker compose, another tool) under the server
    /// name -Name, so that Get-ArkServer lists it and Update-ArkImage, Update-ArkServer, Undo-ArkImageUpdate,
    /// Backup-ArkServer and Restore-ArkServer manage it. The container is not touched: the registration is kept in the
    /// state directory (stateDirectory of the configuration). The labels io.arkmanager.server (and io.arkmanager.owner)
    /// are added when the server is first recreated, which keeps every label the container already has (compose labels
    /// included).</para>
    /// <para>Registering the same container under the same name (and owner) again only returns the server. A container
    /// that is already a managed server under another name, or with another owner, is refused with a
    /// ServerAlreadyRegistered error that names its current server name and owner, and nothing changes: re-registering
    /// would take the server out of its owner's scope. With -Force the registration is replaced: the owner is kept unless
    /// -Owner gives a new one, and a warning says what changed (name and owner, old and new). A container labelled
    /// io.arkmanager.server keeps the name and owner of its labels until it is recreated; -Force does not change them.</para>
    /// <para>A container that does not exist is a ContainerNotFound error (category ObjectNotFound); a server name taken
    /// by another container is a ServerAlreadyExists error (category ResourceExists).</para>
    /// </remarks>
    /// <input type="None">This command takes no pipeline input.</input>
    /// <output type="ArkManager.Images.ServerInfo">The registered server (IsRegistered is true until its first
    /// recreate).</output>
    /// <note>Errors: ContainerNotFound (ObjectNotFound) when the container does not exist; ServerAlreadyExists
    /// (ResourceExists) when the name is taken; ServerAlreadyRegistered (ResourceExists) when the container already is a
    /// server under another name or owner (without -Force).</note>
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
    /// <example>
    /// <code>Register-ArkServer -Container ark_island_1 -Name island2 -Force</code>
    /// <para>Renames the registration of ark_island_1 (registered before as island) to island2; its owner is kept, and a
    /// warning says "server name 'island' -> 'island2'; owner '...' kept".</para>
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

        /// <summary>Replaces an existing registration of the container (another server name or owner). The owner is
        /// kept unless -Owner is given; a warning says what changed. Without it such a registration is refused.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var action = Owner is null
                ? $"Register container '{Container}' as the managed server '{Name}'"
                : $"Register container '{Container}' as the managed server '{Name}' of owner '{Owner}'";
            if (Force)
            {
                action += Owner is null
                    ? ", replacing any registration it has under another name (its owner is kept)"
                    : ", replacing any registration it has under another name or owner (the owner becomes '" + Owner + "')";
            }

            if (ShouldProcess(Container, action) &&
                TryInvoke((m, ct) => m.RegisterServerAsync(Container, Name, Owner, Force.IsPresent, ct), Container, out var server))
            {
                WriteObject(server);
            }
        }
    }
}
