using System;
using System.Net.Http;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ArkManager.Images.Notifications
{
    /// <summary>
    /// The resilience pipeline of one webhook POST (Polly.Core): up to <see cref="Tries"/> tries with jittered exponential
    /// back-off, each try limited to the webhook's timeout. Tried again: a connection failure, a try that timed out, and
    /// HTTP 408, 429, 500, 502, 503, 504, waiting the answer's Retry-After when it has one. A Retry-After longer than
    /// <see cref="WebhookNotifier.MaxRetryAfter"/> is not waited for (the POST fails now and is kept for later).
    /// </summary>
    internal static class WebhookRetryPipeline
    {
        /// <summary>Tries per POST (the first and two retries).</summary>
        public const int Tries = 3;

        /// <summary>Builds the pipeline for a webhook.</summary>
        /// <param name="timeout">The time limit of each try.</param>
        /// <param name="baseDelay">The first back-off (then doubled, jittered).</param>
        /// <param name="time">The clock of back-offs, timeouts and Retry-After dates.</param>
        /// <param name="onRetry">Told the status (null for an exception), the delay before each retry and the context.</param>
        public static ResiliencePipeline<HttpResponseMessage> Build(TimeSpan timeout, TimeSpan baseDelay, TimeProvider time, Action<int?, TimeSpan, ResilienceContext> onRetry)
        {
            return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = Tries - 1,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = baseDelay,
                    MaxDelay = WebhookNotifier.MaxRetryAfter,
                    ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, time)),
                    DelayGenerator = args => new ValueTask<TimeSpan?>(args.Outcome.Result is { } response ? RetryAfterOf(response, time) : null),
                    OnRetry = args =>
                    {
                        onRetry(args.Outcome.Result is { } response ? (int)response.StatusCode : (int?)null, args.RetryDelay, args.Context);
                        return default;
                    },
                })
                .AddTimeout(timeout)
                .Build();
        }

        /// <summary>Whether an outcome is worth another try.</summary>
        public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeProvider time)
        {
            if (outcome.Exception is HttpRequestException || outcome.Exception is TimeoutRejectedException)
            {
                return true;
            }

            if (outcome.Result is not { } response)
            {
                return false;
            }

            var status = (int)response.StatusCode;
            var transient = status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
            return transient && !(RetryAfterOf(response, time) > WebhookNotifier.MaxRetryAfter);
        }

        /// <summary>The wait an answer asks for (Retry-After as seconds or a date), never negative; null without one.</summary>
        public static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider time)
        {
            var retryAfter = response.Headers.RetryAfter;
            if (retryAfter?.Delta is TimeSpan delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (retryAfter?.Date is DateTimeOffset date)
            {
                var wait = date - time.GetUtcNow();
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }

            return null;
        }
    }
}
