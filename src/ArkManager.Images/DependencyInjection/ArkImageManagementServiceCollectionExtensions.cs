using System;
using System.Linq;
using System.Net.Http;
using ArkManager.Images;
using ArkManager.Images.Notifications;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>
    /// Registers <see cref="IArkImageManager"/> in an <see cref="IServiceCollection"/> (ASP.NET Core, worker services,
    /// any app using Microsoft.Extensions.DependencyInjection).
    /// </summary>
    /// <remarks>
    /// <para>
    /// The manager is a singleton, created when first requested (nothing connects to Docker before its first call) and
    /// disposed with the service provider. It logs through the container's <see cref="ILoggerFactory"/> when one is
    /// registered. The <see cref="ArkManagerOptions"/> it uses are registered too, so other services can inject them.
    /// </para>
    /// <para>
    /// Calling an <c>AddArkImageManagement</c> overload again replaces the options of the earlier call. An
    /// <see cref="IArkImageManager"/> registered before the first call (a test double, say) is kept.
    /// </para>
    /// </remarks>
    /// <example>
    /// <code>
    /// builder.Services.AddArkImageManagement(options =&gt; options with { DockerHost = "unix:///var/run/docker.sock" });
    /// // …
    /// app.MapGet("/images", (IArkImageManager ark, CancellationToken ct) =&gt; ark.GetImageStatusAsync(ct));
    /// </code>
    /// </example>
    public static class ArkImageManagementServiceCollectionExtensions
    {
        /// <summary>
        /// The <c>IHttpClientFactory</c> name of the client that asks registries for manifest digests. Add handlers to it
        /// with <c>services.AddHttpClient(RegistryHttpClientName).AddHttpMessageHandler(…)</c>.
        /// </summary>
        public const string RegistryHttpClientName = "ArkManager.Images.Registry";

        /// <summary>
        /// The <c>IHttpClientFactory</c> name of the client that POSTs webhook notifications (its primary handler does not
        /// follow redirects). The notifier's own retries and time limits run around it.
        /// </summary>
        public const string WebhookHttpClientName = "ArkManager.Images.Webhook";

        /// <summary>
        /// Registers <see cref="IArkImageManager"/> with the options of <see cref="ArkManagerOptions.Load"/>
        /// (<c>ARKMANAGER_CONFIG</c>, else the platform default file when it exists, else the defaults), changed by
        /// <paramref name="configure"/>.
        /// </summary>
        /// <param name="services">The service collection.</param>
        /// <param name="configure">
        /// Receives the loaded options and returns the options to use, e.g. <c>options =&gt; options with { DockerHost = "…" }</c>.
        /// Null: the loaded options as they are. Runs when the manager is first resolved.
        /// </param>
        /// <returns><paramref name="services"/>, for chaining.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
        public static IServiceCollection AddArkImageManagement(this IServiceCollection services, Func<ArkManagerOptions, ArkManagerOptions>? configure = null)
        {
            return services.AddArkImageManagement(ark =>
            {
                if (configure is not null)
                {
                    ark.Configure(configure);
                }
            });
        }

        /// <summary>Registers <see cref="IArkImageManager"/> with exactly these options (no configuration file is read).</summary>
        /// <param name="services">The service collection.</param>
        /// <param name="options">The options; validated when the manager is first resolved.</param>
        /// <returns><paramref name="services"/>, for chaining.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="options"/> is null.</exception>
        public static IServiceCollection AddArkImageManagement(this IServiceCollection services, ArkManagerOptions options)
        {
            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            return services.AddArkImageManagement(ark => ark.Options = options);
        }

        /// <summary>Registers <see cref="IArkImageManager"/> with the options of a configuration file, changed by <paramref name="configure"/>.</summary>
        /// <param name="services">The service collection.</param>
        /// <param name="configFile">
        /// The JSON configuration file (see <see cref="ArkManagerOptions.Load"/>). It is read when the manager is first
        /// resolved; a missing or broken file then throws <see cref="ArkConfigurationException"/>.
        /// </param>
        /// <param name="configure">Receives the loaded options and returns the options to use. Null: the file's options as they are.</param>
        /// <returns><paramref name="services"/>, for chaining.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="configFile"/> is null, empty or blank.</exception>
        public static IServiceCollection AddArkImageManagement(this IServiceCollection services, string configFile, Func<ArkManagerOptions, ArkManagerOptions>? configure = null)
        {
            if (string.IsNullOrWhiteSpace(configFile))
            {
                throw new ArgumentException("A configuration file path is required.", nameof(configFile));
            }

            return services.AddArkImageManagement(ark =>
            {
                ark.ConfigFile = configFile;
                if (configure is not null)
                {
                    ark.Configure(configure);
                }
            });
        }

        /// <summary>
        /// Registers <see cref="IArkImageManager"/>, built as <paramref name="configure"/> describes: a configuration file,
        /// fixed options or a factory over the application's services, then changes (see <see cref="ArkImageManagementOptions"/>).
        /// </summary>
        /// <param name="services">The service collection.</param>
        /// <param name="configure">Fills in the <see cref="ArkImageManagementOptions"/>; runs now, once.</param>
        /// <returns><paramref name="services"/>, for chaining.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
        public static IServiceCollection AddArkImageManagement(this IServiceCollection services, Action<ArkImageManagementOptions> configure)
        {
            if (services is null)
            {
                throw new ArgumentNullException(nameof(services));
            }

            if (configure is null)
            {
                throw new ArgumentNullException(nameof(configure));
            }

            var settings = new ArkImageManagementOptions();
            configure(settings);

            // The registration carries this call's settings; the factories below read it, so a later call (which replaces
            // it) wins even though the manager's own registration is only added once.
            services.Replace(ServiceDescriptor.Singleton(new ArkImageManagementRegistration(settings)));
            services.Replace(ServiceDescriptor.Singleton<ArkManagerOptions>(BuildOptions));
            services.TryAddSingleton<IArkImageManager>(CreateManager);
            services.AddHttpClient(RegistryHttpClientName);
            services.AddHttpClient(WebhookHttpClientName).ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var hooks = provider.GetRequiredService<ArkManagerOptions>().Webhooks;
                return WebhookNotifier.CreateHandler(hooks.Count == 0 ? TimeSpan.FromSeconds(10) : hooks.Max(h => h.Timeout));
            });
            return services;
        }

        private static ArkManagerOptions BuildOptions(IServiceProvider provider)
        {
            return provider.GetRequiredService<ArkImageManagementRegistration>().Settings.Build(provider);
        }

        private static IArkImageManager CreateManager(IServiceProvider provider)
        {
            var settings = provider.GetRequiredService<ArkImageManagementRegistration>().Settings;
            var options = provider.GetRequiredService<ArkManagerOptions>();
            var loggerFactory = settings.UseLoggerFactory ? provider.GetService<ILoggerFactory>() : null;
            var http = provider.GetService<IHttpClientFactory>();
            var hosting = new ManagerHosting
            {
                RegistryHttpClient = http is null ? null : () => http.CreateClient(RegistryHttpClientName),
                WebhookHttpClient = http is null ? null : () => http.CreateClient(WebhookHttpClientName),
                RunLog = settings.RunLog ?? loggerFactory is null,
            };
            return options.Hosts.Count > 0 ? new ArkFleetManager(options, loggerFactory, hosting) : new ArkImageManager(options, loggerFactory, hosting);
        }
    }

    /// <summary>The settings of the last <c>AddArkImageManagement</c> call, as a service.</summary>
    internal sealed class ArkImageManagementRegistration
    {
        public ArkImageManagementRegistration(ArkImageManagementOptions settings)
        {
            Settings = settings;
        }

        public ArkImageManagementOptions Settings { get; }
    }
}
