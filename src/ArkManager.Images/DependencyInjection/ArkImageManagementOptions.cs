using System;
using System.Collections.Generic;
using ArkManager.Images;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>
    /// How <see cref="ArkImageManagementServiceCollectionExtensions.AddArkImageManagement(IServiceCollection, Action{ArkImageManagementOptions})"/>
    /// builds the <see cref="ArkManagerOptions"/> of the registered <see cref="IArkImageManager"/>.
    /// </summary>
    /// <remarks>
    /// The options are built once, when the manager (or <see cref="ArkManagerOptions"/>) is first resolved, in this order:
    /// a base (<see cref="OptionsFactory"/>, else <see cref="Options"/>, else <see cref="ArkManagerOptions.Load"/> of
    /// <see cref="ConfigFile"/>), then every change added with <see cref="Configure"/>, in the order they were added.
    /// <see cref="ArkManagerOptions"/> is immutable: a change returns a new instance (<c>options =&gt; options with { … }</c>).
    /// </remarks>
    /// <example>
    /// <code>
    /// services.AddArkImageManagement(ark =&gt;
    /// {
    ///     ark.ConfigFile = "/etc/arkmanager/config.json";
    ///     ark.Configure(options =&gt; options with { DockerHost = "unix:///var/run/docker.sock" });
    /// });
    /// </code>
    /// </example>
    public sealed class ArkImageManagementOptions
    {
        private readonly List<Func<ArkManagerOptions, ArkManagerOptions>> _changes = new List<Func<ArkManagerOptions, ArkManagerOptions>>();

        /// <summary>
        /// The configuration file to load (see <see cref="ArkManagerOptions.Load"/>). Null: <c>ARKMANAGER_CONFIG</c>, else the
        /// platform default file when it exists, else the defaults. Ignored when <see cref="Options"/> or
        /// <see cref="OptionsFactory"/> is set.
        /// </summary>
        public string? ConfigFile { get; set; }

        /// <summary>Options to use as they are (no file is read). Ignored when <see cref="OptionsFactory"/> is set.</summary>
        public ArkManagerOptions? Options { get; set; }

        /// <summary>
        /// Builds the base options from the application's services (e.g. from its configuration), when the manager is first
        /// resolved. Takes precedence over <see cref="Options"/> and <see cref="ConfigFile"/>.
        /// </summary>
        public Func<IServiceProvider, ArkManagerOptions>? OptionsFactory { get; set; }

        /// <summary>
        /// Whether the manager logs through the container's <c>ILoggerFactory</c> (when one is registered, e.g. by
        /// <c>AddLogging</c> or a host). Default true; false discards the library's log messages.
        /// </summary>
        public bool UseLoggerFactory { get; set; } = true;

        /// <summary>
        /// Whether every operation is also written to the run log (<c>&lt;state&gt;/logs/arkmanager.jsonl</c>, as the
        /// cmdlets do). Null (default): only when the manager does not log through the container's <c>ILoggerFactory</c>
        /// (a host already logs); true or false decides.
        /// </summary>
        public bool? RunLog { get; set; }

        /// <summary>The changes added with <see cref="Configure"/>, in order.</summary>
        internal IReadOnlyList<Func<ArkManagerOptions, ArkManagerOptions>> Changes => _changes;

        /// <summary>
        /// Adds a change applied to the base options (after the earlier ones): it receives the options so far and returns
        /// the options to use, typically <c>options =&gt; options with { DockerHost = "…" }</c>.
        /// </summary>
        /// <returns>This instance, for chaining.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="change"/> is null.</exception>
        public ArkImageManagementOptions Configure(Func<ArkManagerOptions, ArkManagerOptions> change)
        {
            if (change is null)
            {
                throw new ArgumentNullException(nameof(change));
            }

            _changes.Add(change);
            return this;
        }

        /// <summary>Builds the options as described in the remarks of this type, and validates them.</summary>
        /// <param name="services">The application's services, passed to <see cref="OptionsFactory"/>.</param>
        /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
        /// <exception cref="InvalidOperationException"><see cref="OptionsFactory"/> or a change returned null.</exception>
        /// <exception cref="ArkConfigurationException">The configuration file is missing or broken.</exception>
        /// <exception cref="ArgumentException">A value is out of range (see <see cref="ArkManagerOptions.Validate"/>).</exception>
        internal ArkManagerOptions Build(IServiceProvider services)
        {
            if (services is null)
            {
                throw new ArgumentNullException(nameof(services));
            }

            ArkManagerOptions options;
            if (OptionsFactory is not null)
            {
                options = OptionsFactory(services)
                    ?? throw new InvalidOperationException($"{nameof(ArkImageManagementOptions)}.{nameof(OptionsFactory)} returned null.");
            }
            else
            {
                options = Options ?? ArkManagerOptions.Load(ConfigFile);
            }

            foreach (var change in _changes)
            {
                options = change(options)
                    ?? throw new InvalidOperationException($"A change added with {nameof(ArkImageManagementOptions)}.{nameof(Configure)} returned null.");
            }

            options.Validate();
            return options;
        }
    }
}
