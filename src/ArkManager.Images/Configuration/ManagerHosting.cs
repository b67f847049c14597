using System;
using System.Net.Http;

namespace ArkManager.Images
{
    /// <summary>
    /// What a host (the DI extension) gives a manager beyond its options: the HTTP clients of the registry and the
    /// webhooks (IHttpClientFactory named clients, so the host's handlers see every request) and whether the run log is
    /// written. The public constructor of <see cref="ArkImageManager"/> uses <see cref="Standalone"/>.
    /// </summary>
    internal sealed class ManagerHosting
    {
        /// <summary>Own handlers and the run log on: the cmdlets and a hand-made manager.</summary>
        public static readonly ManagerHosting Standalone = new ManagerHosting();

        /// <summary>Gives the registry's client (created once per manager); null: the registry client's own handler.</summary>
        public Func<HttpClient>? RegistryHttpClient { get; init; }

        /// <summary>Gives the client of each webhook POST; null: the notifier's own handler.</summary>
        public Func<HttpClient>? WebhookHttpClient { get; init; }

        /// <summary>Whether every operation is also written to &lt;state&gt;/logs/arkmanager.jsonl.</summary>
        public bool RunLog { get; init; } = true;
    }
}
