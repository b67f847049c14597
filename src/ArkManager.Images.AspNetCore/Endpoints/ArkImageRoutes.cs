using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.AspNetCore.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ArkManager.Images.AspNetCore.Endpoints
{
    /// <summary>The image routes of the seed: status, pull, check-updates, update, plus affected servers and plan.</summary>
    internal static class ArkImageRoutes
    {
        public static void Map(RouteGroupBuilder group, ArkEndpointContext ctx, string jobsPrefix)
        {
            group.MapGet("/servers/images/status", (HttpContext http, IArkImageManager ark, CancellationToken ct) =>
                    ctx.RunAsync(http, async _ => ArkEndpointContext.Json(await ark.GetImageStatusAsync(ct).ConfigureAwait(false))))
                .WithName("ArkGetImageStatus").WithSummary("One status per required image (local only; nothing is pulled).")
                .Produces<IReadOnlyList<ImageStatus>>();

            group.MapPost("/servers/images/pull", (HttpContext http, IArkImageManager ark, ArkPullRequest request) =>
                    ctx.RunAsync(http, caller =>
                    {
                        var problem = ctx.CheckImage(ark, caller, request.Image, out var image);
                        if (problem is not null)
                        {
                            return Task.FromResult(problem);
                        }

                        var job = ctx.Jobs.Start("pull", image, caller.Owner, async j =>
                        {
                            var info = await ark.PullImageAsync(image, new JobProgress<PullProgress>(j), CancellationToken.None).ConfigureAwait(false);
                            return (true, (object?)info, null);
                        });
                        return Task.FromResult(ctx.Started(http, job, jobsPrefix));
                    }))
                .WithName("ArkPullImage")
                .WithSummary("Pulls an image (because the caller asked). 202 with the job, or its progress as Server-Sent Events with Accept: text/event-stream.")
                .Produces<ArkJobStatus>(StatusCodes.Status202Accepted).Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
                .ProducesProblem(StatusCodes.Status400BadRequest);

            group.MapGet("/servers/images/check-updates", (HttpContext http, IArkImageManager ark, CancellationToken ct) =>
                    ctx.RunAsync(http, async _ => ArkEndpointContext.Json(ArkEndpointContext.ToMap(await ark.CheckImageUpdatesAsync(ct).ConfigureAwait(false)))))
                .WithName("ArkCheckImageUpdates").WithSummary("Asks the registry (one manifest HEAD per required image): image → update available. Never pulls.")
                .Produces<IReadOnlyDictionary<string, bool>>();

            group.MapGet("/servers/images/checks", (HttpContext http, IArkImageManager ark, CancellationToken ct) =>
                    ctx.RunAsync(http, async _ => ArkEndpointContext.Json(await ark.CheckImageUpdatesAsync(ct).ConfigureAwait(false))))
                .WithName("ArkCheckImageUpdatesDetailed").WithSummary("Like check-updates, with the digests, state and error of each check.")
                .Produces<IReadOnlyDictionary<string, ImageUpdateCheck>>();

            group.MapGet("/servers/images/affected", (HttpContext http, IArkImageManager ark, string? image, CancellationToken ct) =>
                    ctx.RunAsync(http, async caller =>
                    {
                        var problem = ctx.CheckImage(ark, caller, image, out var reference);
                        return problem ?? ArkEndpointContext.Json(await ark.GetAffectedServersAsync(reference, caller.OwnerFilter, ct).ConfigureAwait(false));
                    }))
                .WithName("ArkGetAffectedServers").WithSummary("The caller's servers created from the image, with whether each runs the newest local image.")
                .Produces<IReadOnlyList<AffectedServer>>().ProducesProblem(StatusCodes.Status400BadRequest);

            group.MapGet("/servers/images/plan", (HttpContext http, IArkImageManager ark, string? image, CancellationToken ct) =>
                    ctx.RunAsync(http, async caller =>
                    {
                        var problem = ctx.CheckImage(ark, caller, image, out var reference);
                        if (problem is not null)
                        {
                            return problem;
                        }

                        var options = new UpdateOptions { Recreation = ctx.Options.Recreation with { Owner = caller.OwnerFilter } };
                        return ArkEndpointContext.Json(await ark.PlanUpdateAsync(reference, options, ct).ConfigureAwait(false));
                    }))
                .WithName("ArkPlanUpdate").WithSummary("What an update would do to the caller's servers (dry run: the registry is asked, nothing changes).")
                .Produces<IReadOnlyList<UpdatePlanItem>>().ProducesProblem(StatusCodes.Status400BadRequest);

            group.MapPost("/servers/images/update", (HttpContext http, IArkImageManager ark, ArkUpdateRequest request, CancellationToken ct) =>
                    ctx.RunAsync(http, async caller =>
                    {
                        var problem = ctx.CheckImage(ark, caller, request.Image, out var image);
                        if (problem is not null)
                        {
                            return problem;
                        }

                        foreach (var name in request.Servers ?? Array.Empty<string>())
                        {
                            if (await caller.FindServerAsync(ark, name, ct).ConfigureAwait(false) is null)
                            {
                                return ArkProblems.ServerNotFound(name);
                            }
                        }

                        var options = new UpdateOptions
                        {
                            Recreation = ctx.Options.Recreation with { Owner = caller.OwnerFilter, BackupVolumes = request.Backup, Force = request.Force },
                            Servers = request.Servers,
                        };
                        var job = ctx.Jobs.Start("update", image, caller.Owner, async j =>
                        {
                            // CancellationToken.None: a transaction that started finishes or rolls back, whatever the client does.
                            var result = await ark.UpdateImageAsync(image, options, new JobProgress<UpdateProgress>(j), CancellationToken.None).ConfigureAwait(false);
                            return (result.Succeeded, (object?)result, result.ToException());
                        });
                        return ctx.Started(http, job, jobsPrefix);
                    }))
                .WithName("ArkUpdateImage")
                .WithSummary("Checks, pulls, then recreates the caller's affected servers one transaction at a time. 202 with the job, or its progress as Server-Sent Events.")
                .Produces<ArkJobStatus>(StatusCodes.Status202Accepted).Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
                .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        }
    }

    /// <summary>Reports library progress into a job (synchronously, in order).</summary>
    internal sealed class JobProgress<T> : IProgress<T>
    {
        private readonly ArkJob _job;

        public JobProgress(ArkJob job)
        {
            _job = job;
        }

        public void Report(T value) => _job.Append("progress", value);
    }
}
