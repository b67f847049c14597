using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace ArkManager.Images.Internal
{
    /// <summary>
    /// The library's traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
    /// <see cref="Name"/>. Nothing is recorded unless a listener subscribes (OpenTelemetry's <c>AddSource</c>/<c>AddMeter</c>,
    /// dotnet-counters, an <see cref="ActivityListener"/>). Tags carry image references, server names, steps and outcomes
    /// only: never an error message, an environment value or a credential.
    /// </summary>
    internal static class Telemetry
    {
        /// <summary>The name of the activity source and of the meter.</summary>
        public const string Name = "ArkManager.Images";

        private static readonly string? Version = typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

        public static readonly ActivitySource Source = new ActivitySource(Name, Version);

        public static readonly Meter Meter = new Meter(Name, Version);

        /// <summary>Update checks, one per image; tags image, registry, state, outcome (up_to_date, update_available, not_comparable, failed).</summary>
        public static readonly Counter<long> Checks = Meter.CreateCounter<long>("arkmanager.images.checks", "{check}", "Image update checks, by outcome.");

        /// <summary>Pulls; tags image, outcome (succeeded, failed).</summary>
        public static readonly Counter<long> Pulls = Meter.CreateCounter<long>("arkmanager.images.pulls", "{pull}", "Image pulls, by outcome.");

        /// <summary>Server transactions (update, recreate, rollback); tags kind, image, outcome (the UpdateOutcome, lower case).</summary>
        public static readonly Counter<long> Updates = Meter.CreateCounter<long>("arkmanager.images.updates", "{update}", "Server updates (one transaction per server), by outcome.");

        /// <summary>Duration of each transaction step; tags step, status (completed, failed, undone, undo_failed).</summary>
        public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("arkmanager.images.update.step.duration", "s", "Duration of each step of a server transaction.");

        /// <summary>How long a server was down during a transaction (old container stopping until the replacement or the old one runs again); tags kind, outcome.</summary>
        public static readonly Histogram<double> Downtime = Meter.CreateHistogram<double>("arkmanager.images.server.downtime", "s", "How long a server was not running during an update.");

        public const string CheckActivity = "arkmanager.check";
        public const string PullActivity = "arkmanager.pull";
        public const string UpdateActivity = "arkmanager.update";
        public const string StepActivity = "arkmanager.update.step";
        public const string RollbackActivity = "arkmanager.rollback";

        /// <summary>Starts an internal activity (null when nobody listens) with the given tags.</summary>
        public static Activity? Start(string name, params KeyValuePair<string, object?>[] tags) =>
            Source.StartActivity(name, ActivityKind.Internal, default(ActivityContext), tags);

        /// <summary>The outcome tag of an update check.</summary>
        public static string CheckOutcome(ImageUpdateState state) => state switch
        {
            ImageUpdateState.UpToDate => "up_to_date",
            ImageUpdateState.UpdateAvailable => "update_available",
            ImageUpdateState.NotPresentLocally => "not_comparable",
            ImageUpdateState.NoLocalDigest => "not_comparable",
            _ => "failed",
        };

        /// <summary>An outcome as a tag value: lower case, words joined by '_' (RolledBack: rolled_back).</summary>
        public static string Tag(string value)
        {
            var chars = new System.Text.StringBuilder(value.Length + 4);
            for (var i = 0; i < value.Length; i++)
            {
                if (char.IsUpper(value[i]) && i > 0)
                {
                    chars.Append('_');
                }

                chars.Append(char.ToLowerInvariant(value[i]));
            }

            return chars.ToString();
        }

        /// <summary>Marks an activity failed with the exception's type only (its message may name things a trace must not carry).</summary>
        public static void Failed(Activity? activity, Exception ex)
        {
            if (activity is null)
            {
                return;
            }

            activity.SetTag("error.type", ex is ArkManagerException ark ? ark.ErrorId : ex.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, ex is ArkManagerException known ? known.ErrorId : ex.GetType().Name);
        }

        /// <summary>A pull as a span and a count (outcome succeeded or failed; the exception is thrown on).</summary>
        public static async System.Threading.Tasks.Task<TResult> TracePullAsync<TResult>(string image, Func<System.Threading.Tasks.Task<TResult>> pull)
        {
            using var activity = Start(PullActivity, T("arkmanager.image", image));
            try
            {
                var result = await pull().ConfigureAwait(false);
                activity?.SetTag("arkmanager.outcome", "succeeded");
                Pulls.Add(1, T("image", image), T("outcome", "succeeded"));
                return result;
            }
            catch (Exception ex)
            {
                Failed(activity, ex);
                activity?.SetTag("arkmanager.outcome", "failed");
                Pulls.Add(1, T("image", image), T("outcome", "failed"));
                throw;
            }
        }

        public static KeyValuePair<string, object?> T(string key, object? value) => new KeyValuePair<string, object?>(key, value);
    }
}
