using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using ArkManager.Images.AspNetCore.Jobs;
using Microsoft.AspNetCore.Http;

namespace ArkManager.Images.AspNetCore.Endpoints
{
    /// <summary>What every handler of one <c>MapArkImageEndpoints</c> call shares: the options and the job registry.</summary>
    internal sealed class ArkEndpointContext
    {
        public ArkEndpointContext(ArkImageEndpointOptions options, ArkJobRegistry jobs)
        {
            Options = options;
            Jobs = jobs;
        }

        public ArkImageEndpointOptions Options { get; }

        public ArkJobRegistry Jobs { get; }

        /// <summary>Runs <paramref name="handler"/> for a caller with an owner claim (or an administrator), mapping library errors to Problem Details.</summary>
        public async Task<IResult> RunAsync(HttpContext http, Func<ArkCaller, Task<IResult>> handler)
        {
            var caller = ArkCaller.From(http, Options);
            if (caller is null)
            {
                return ArkProblems.OwnerMissing();
            }

            try
            {
                return await handler(caller).ConfigureAwait(false);
            }
            catch (ArkManagerException ex)
            {
                return ArkProblems.From(ex);
            }
        }

        /// <summary>A started job: its event stream when the client asked for <c>text/event-stream</c>, else 202 with its status and location.</summary>
        public IResult Started(HttpContext http, ArkJob job, string jobsPrefix)
        {
            if (ArkServerSentEvents.Wants(http))
            {
                return new StreamResult(job);
            }

            http.Response.Headers.Location = jobsPrefix + "/" + job.Id;
            return Results.Json(job.Describe(), ArkJson.Options, statusCode: StatusCodes.Status202Accepted);
        }

        /// <summary>Parses and authorizes an image of a request; returns a problem when it is invalid or not allowed.</summary>
        public IResult? CheckImage(IArkImageManager ark, ArkCaller caller, string? image, out string normalized)
        {
            normalized = image?.Trim() ?? string.Empty;
            if (!ImageReference.TryParse(normalized, out var reference, out var error) || reference is null)
            {
                return ArkProblems.InvalidImage(image, error);
            }

            return caller.MayUseImage(ark, reference, Options) ? null : ArkProblems.ImageNotRequired(normalized);
        }

        public static IResult Json(object? value) => Results.Json(value, ArkJson.Options);

        public static IReadOnlyDictionary<string, bool> ToMap(IReadOnlyDictionary<string, ImageUpdateCheck> checks)
        {
            var map = new SortedDictionary<string, bool>(StringComparer.Ordinal);
            foreach (var pair in checks)
            {
                map[pair.Key] = pair.Value.UpdateAvailable;
            }

            return map;
        }

        private sealed class StreamResult : IResult
        {
            private readonly ArkJob _job;

            public StreamResult(ArkJob job)
            {
                _job = job;
            }

            public Task ExecuteAsync(HttpContext httpContext) => ArkServerSentEvents.StreamAsync(httpContext, _job, 0);
        }
    }
}
