using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.AspNetCore.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ArkManager.Images.AspNetCore.Endpoints
{
    /// <summary>The server routes: list, recreate, rollback, backup, history, and the jobs (status and events).</summary>
    internal static class ArkServerRoutes
    {
        public static void Map(RouteGroupBuilder group, ArkEndpointContext ctx, string jobsPrefix)
        {
            group.MapGet("/servers", (HttpContext http, IArkImageManager ark, CancellationToken ct) =>
                    ctx.RunAsync(http, async caller => ArkEndpointContext.Json(await ark.GetServersAsync(caller.OwnerFilter, ct).ConfigureAwait(false))))
                .WithName("ArkGetServers").WithSummary("The caller's servers (an administrator: all).")
                .Produces<IReadOnlyList<ServerInfo>>();

            group.MapPost("/servers/{id}/recreate", (HttpContext http, IArkImageManager ark, string id, CancellationToken ct) =>
                    StartServerJob(http, ark, ctx, id, "recreate", jobsPrefix, ct, (options, progress) => ark.RecreateContainerAsync(id, options, progress, CancellationToken.None)))
                .WithName("ArkRecreateServer").WithSummary("Recreates the server on the newest local image of its reference (journaled; rolls back when the new container fails).")
                .Produces<ArkJobStatus>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);

            group.MapPost("/servers/{id}/rollback", (HttpContext http, IArkImageManager ark, string id, CancellationToken ct) =>
                    StartServerJob(http, ark, ctx, id, "rollback", jobsPrefix, ct, (options, progress) => ark.RollbackAsync(id, options, progress, CancellationToken.None)))
                .WithName("ArkRollbackServer").WithSummary("Recreates the server on the image it ran before its last successful update.")
                .Produces<ArkJobStatus>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);

            group.MapPost("/servers/{id}/backup", (HttpContext http, IArkImageManager ark, string id, CancellationToken ct) =>
                    ctx.RunAsync(http, async caller =>
                    {
                        if (await caller.FindServerAsync(ark, id, ct).ConfigureAwait(false) is null)
                        {
                            return ArkProblems.ServerNotFound(id);
                        }

                        var directory = ctx.Options.BackupDirectory ?? Path.Combine(ark.Options.EffectiveStateDirectory, "backups", id);
                        return ArkEndpointContext.Json(await ark.BackupServerAsync(id, directory, null, ct).ConfigureAwait(false));
                    }))
                .WithName("ArkBackupServer").WithSummary("Archives every volume of a stopped server.")
                .Produces<BackupInfo>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

            group.MapGet("/servers/history", (HttpContext http, IArkImageManager ark, string? server, string? image, int? last, CancellationToken ct) =>
                    ctx.RunAsync(http, async caller =>
                    {
                        var filter = new UpdateHistoryFilter { Server = server, Image = image, Last = last, Owner = caller.OwnerFilter };
                        return ArkEndpointContext.Json(await ark.GetUpdateHistoryAsync(filter, ct).ConfigureAwait(false));
                    }))
                .WithName("ArkGetUpdateHistory").WithSummary("The update history of the caller's servers, newest last.")
                .Produces<IReadOnlyList<UpdateHistoryRecord>>();

            group.MapGet("/jobs/{id}", (HttpContext http, string id) =>
                    ctx.RunAsync(http, caller =>
                    {
                        var job = ctx.Jobs.Find(id, caller.Owner, caller.IsAdmin);
                        return Task.FromResult(job is null ? ArkProblems.JobNotFound(id) : ArkEndpointContext.Json(job.Describe()));
                    }))
                .WithName("ArkGetJob").WithSummary("The status of a pull, update, recreate or rollback (re-attach after a disconnect).")
                .Produces<ArkJobStatus>().ProducesProblem(StatusCodes.Status404NotFound);

            group.MapGet("/jobs/{id}/events", async (HttpContext http, string id) =>
                {
                    var caller = ArkCaller.From(http, ctx.Options);
                    if (caller is null)
                    {
                        await ArkProblems.OwnerMissing().ExecuteAsync(http).ConfigureAwait(false);
                        return;
                    }

                    var job = ctx.Jobs.Find(id, caller.Owner, caller.IsAdmin);
                    if (job is null)
                    {
                        await ArkProblems.JobNotFound(id).ExecuteAsync(http).ConfigureAwait(false);
                        return;
                    }

                    await ArkServerSentEvents.StreamAsync(http, job, ArkServerSentEvents.StartIndex(http)).ConfigureAwait(false);
                })
                .WithName("ArkGetJobEvents").WithSummary("The job's events as Server-Sent Events: every event so far (or from Last-Event-ID), then live until done.")
                .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound);
        }

        private static Task<IResult> StartServerJob(HttpContext http, IArkImageManager ark, ArkEndpointContext ctx, string id, string kind, string jobsPrefix, CancellationToken ct,
            Func<RecreateOptions, IProgress<UpdateProgress>, Task<ServerUpdateResult>> work) =>
            ctx.RunAsync(http, async caller =>
            {
                if (await caller.FindServerAsync(ark, id, ct).ConfigureAwait(false) is null)
                {
                    return ArkProblems.ServerNotFound(id);
                }

                var options = ctx.Options.Recreation with { Owner = caller.OwnerFilter };
                var job = ctx.Jobs.Start(kind, id, caller.Owner, async j =>
                {
                    var result = await work(options, new JobProgress<UpdateProgress>(j)).ConfigureAwait(false);
                    return (result.Succeeded, (object?)result, result.ToException());
                });
                return ctx.Started(http, job, jobsPrefix);
            });
    }
}
