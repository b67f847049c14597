using System;
using ArkManager.Images;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>
    /// Registers <see cref="IArkImageManager"/> with options bound from <see cref="IConfiguration"/> (appsettings.json,
    /// environment variables, …), validated when the host starts.
    /// </summary>
    public static class ArkImageManagementConfigurationExtensions
    {
        /// <summary>
        /// Registers <see cref="IArkImageManager"/> with the options of a configuration section whose keys are those of the
        /// configuration file (<c>dockerHost</c>, <c>requiredImages</c>, <c>insecureRegistries</c>, <c>stateDirectory</c>,
        /// <c>dockerConfigDirectory</c>, <c>connectTimeoutSeconds</c>, <c>dockerRequestTimeoutSeconds</c>,
        /// <c>registryTimeoutSeconds</c>, <c>credentialHelperTimeoutSeconds</c>, <c>maxConcurrentChecks</c>, <c>webhooks</c>).
        /// </summary>
        /// <remarks>
        /// The section is validated with the messages of the configuration-file reader when the host starts
        /// (<c>ValidateOnStart</c>): a bad value stops the host with an <see cref="OptionsValidationException"/> naming the
        /// section and the key. Keys that are absent keep the defaults of <see cref="ArkManagerOptions"/>.
        /// </remarks>
        /// <example><code>builder.Services.AddArkImageManagement(builder.Configuration.GetSection("ArkManager"));</code></example>
        /// <param name="services">The service collection.</param>
        /// <param name="configuration">The section, typically <c>configuration.GetSection("ArkManager")</c>.</param>
        /// <param name="configure">Receives the bound options and returns the options to use. Null: the bound options as they are.</param>
        /// <returns><paramref name="services"/>, for chaining.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
        public static IServiceCollection AddArkImageManagement(this IServiceCollection services, IConfiguration configuration, Func<ArkManagerOptions, ArkManagerOptions>? configure = null)
        {
            if (services is null)
            {
                throw new ArgumentNullException(nameof(services));
            }

            if (configuration is null)
            {
                throw new ArgumentNullException(nameof(configuration));
            }

            var sectionPath = (configuration as IConfigurationSection)?.Path ?? string.Empty;
            services.AddOptions<ArkManagerConfigurationModel>()
                .Bind(configuration)
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArkManagerConfigurationModel>>(new ArkManagerConfigurationValidator(sectionPath)));
            return services.AddArkImageManagement(ark =>
            {
                ark.OptionsFactory = provider => provider.GetRequiredService<IOptions<ArkManagerConfigurationModel>>().Value.ToOptions();
                if (configure is not null)
                {
                    ark.Configure(configure);
                }
            });
        }
    }
}
