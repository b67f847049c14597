using System;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ArkManager.Images.AspNetCore.Jobs;
using Microsoft.AspNetCore.Http;

namespace ArkManager.Images.AspNetCore.Endpoints
{
    /// <summary>
    /// Streams a job's events as Server-Sent Events (<c>id</c>, <c>event</c>: progress or done, <c>data</c>: JSON). The
    /// stream ends after <c>done</c>; a client that goes away only stops its own stream, never the job.
    /// </summary>
    internal static class ArkServerSentEvents
    {
        private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

        public static async Task StreamAsync(HttpContext context, ArkJob job, int from)
        {
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            response.Headers["X-Ark-Job"] = job.Id;
            var aborted = context.RequestAborted;
            var next = Math.Max(0, from);
            try
            {
                await response.WriteAsync($"retry: 2000\n\n", aborted).ConfigureAwait(false);
                while (true)
                {
                    var (events, changed, finished) = job.Read(next);
                    foreach (var item in events)
                    {
                        var data = JsonSerializer.Serialize(item.Data, ArkJson.Options);
                        var text = new StringBuilder()
                            .Append("id: ").Append(item.Sequence + 1).Append('\n')
                            .Append("event: ").Append(item.Type).Append('\n')
                            .Append("data: ").Append(data).Append("\n\n")
                            .ToString();
                        await response.WriteAsync(text, aborted).ConfigureAwait(false);
                        next = item.Sequence + 1;
                    }

                    await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                    if (finished && events.Count == 0)
                    {
                        return;
                    }

                    if (events.Count > 0)
                    {
                        continue;
                    }

                    var delay = Task.Delay(KeepAlive, aborted);
                    if (await Task.WhenAny(changed, delay).ConfigureAwait(false) == delay)
                    {
                        aborted.ThrowIfCancellationRequested();
                        await response.WriteAsync(": keep-alive\n\n", aborted).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client went away: the job runs on.
            }
        }

        /// <summary>The first event to send: the <c>Last-Event-ID</c> header (a re-connecting EventSource) or <c>?from=</c>.</summary>
        public static int StartIndex(HttpContext context)
        {
            var text = context.Request.Headers["Last-Event-ID"].ToString();
            if (string.IsNullOrEmpty(text))
            {
                text = context.Request.Query["from"].ToString();
            }

            return int.TryParse(text, out var value) && value > 0 ? value : 0;
        }

        public static bool Wants(HttpContext context) =>
            context.Request.Headers.Accept.ToString().IndexOf("text/event-stream", StringComparison.OrdinalIgnoreCase) >= 0;
    }
}
