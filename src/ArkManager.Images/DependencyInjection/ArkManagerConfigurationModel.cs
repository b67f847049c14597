using System;
using System.Collections.Generic;
using System.Linq;
using ArkManager.Images;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>
    /// The <c>ArkManager</c> configuration section as the binder fills it: the keys of the configuration file
    /// (<c>dockerHost</c>, <c>requiredImages</c>, <c>connectTimeoutSeconds</c>, <c>webhooks</c>, …). Only the keys present
    /// change the defaults of <see cref="ArkManagerOptions"/>.
    /// </summary>
    internal sealed class ArkManagerConfigurationModel
    {
        public string? DockerHost { get; set; }

        public List<string>? RequiredImages { get; set; }

        public List<string>? InsecureRegistries { get; set; }

        public string? StateDirectory { get; set; }

        public string? DockerConfigDirectory { get; set; }

        public double? ConnectTimeoutSeconds { get; set; }

        public double? DockerRequestTimeoutSeconds { get; set; }

        public double? RegistryTimeoutSeconds { get; set; }

        public double? CredentialHelperTimeoutSeconds { get; set; }

        public int? MaxConcurrentChecks { get; set; }

        public List<WebhookModel>? Webhooks { get; set; }

        /// <summary>The options these keys describe. Throws what <see cref="ArkManagerOptions.Validate"/> throws for values out of range.</summary>
        public ArkManagerOptions ToOptions()
        {
            if (MaxConcurrentChecks is int max && (max < 1 || max > 256))
            {
                throw new ArgumentException("'maxConcurrentChecks' must be a whole number from 1 to 256.");
            }

            var options = new ArkManagerOptions();
            options = options with
            {
                DockerHost = DockerHost ?? options.DockerHost,
                RequiredImages = RequiredImages is null ? options.RequiredImages : RequiredImages.ToArray(),
                InsecureRegistries = InsecureRegistries is null ? options.InsecureRegistries : InsecureRegistries.ToArray(),
                StateDirectory = StateDirectory ?? options.StateDirectory,
                DockerConfigDirectory = DockerConfigDirectory ?? options.DockerConfigDirectory,
                ConnectTimeout = Seconds(ConnectTimeoutSeconds, "connectTimeoutSeconds") ?? options.ConnectTimeout,
                DockerRequestTimeout = Seconds(DockerRequestTimeoutSeconds, "dockerRequestTimeoutSeconds") ?? options.DockerRequestTimeout,
                RegistryTimeout = Seconds(RegistryTimeoutSeconds, "registryTimeoutSeconds") ?? options.RegistryTimeout,
                CredentialHelperTimeout = Seconds(CredentialHelperTimeoutSeconds, "credentialHelperTimeoutSeconds") ?? options.CredentialHelperTimeout,
                MaxConcurrentChecks = MaxConcurrentChecks ?? options.MaxConcurrentChecks,
                Webhooks = Webhooks is null ? options.Webhooks : Webhooks.Select((w, i) => w.ToOptions(i)).ToArray(),
            };
            options.Validate();
            return options;
        }

        internal static TimeSpan? Seconds(double? seconds, string key)
        {
            if (seconds is null)
            {
                return null;
            }

            if (double.IsNaN(seconds.Value) || seconds.Value <= 0 || seconds.Value > 86400)
            {
                throw new ArgumentException($"'{key}' must be a number of seconds greater than 0 and at most 86400.");
            }

            return TimeSpan.FromSeconds(seconds.Value);
        }

        /// <summary>One entry of <c>webhooks</c>.</summary>
        internal sealed class WebhookModel
        {
            public string? Url { get; set; }

            public WebhookFormat? Format { get; set; }

            public List<NotificationEvent>? Events { get; set; }

            public double? TimeoutSeconds { get; set; }

            public WebhookOptions ToOptions(int index)
            {
                var webhook = new WebhookOptions();
                return webhook with
                {
                    Url = Url ?? string.Empty,
                    Format = Format ?? webhook.Format,
                    Events = Events?.ToArray(),
                    Timeout = Seconds(TimeoutSeconds, $"webhooks[{index}].timeoutSeconds") ?? webhook.Timeout,
                };
            }
        }
    }
}
