using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ArkManager.Images.AspNetCore.Tests.Infrastructure;

namespace ArkManager.Images.AspNetCore.Tests;

/// <summary>The HTTP API over the sandbox engine (WebApplicationFactory over the sample host).</summary>
public sealed class EndpointTests
{
    [Fact]
    public async Task Two_users_see_and_touch_only_their_own_servers_and_cross_owner_requests_are_404()
    {
        using var host = new WebHost();
        // Users of this test only: other tests of the class create servers for "alice" in the same engine at the same time.
        var aliceId = "alice-" + Guid.NewGuid().ToString("N")[..6];
        var bobId = "bob-" + Guid.NewGuid().ToString("N")[..6];
        var alice = host.Client(aliceId);
        var bob = host.Client(bobId);
        var admin = host.Client("root", "ark-admin");
        var aliceServer = await host.NewServerAsync(aliceId);
        var bobServer = await host.NewServerAsync(bobId);

        var aliceList = Names(await WebHost.Json(await alice.GetAsync("/api/servers")));
        var bobList = Names(await WebHost.Json(await bob.GetAsync("/api/servers")));
        Assert.Equal(new[] { aliceServer.Name }, aliceList);
        Assert.Equal(new[] { bobServer.Name }, bobList);
        var adminList = Names(await WebHost.Json(await admin.GetAsync("/api/servers")));
        Assert.Contains(aliceServer.Name, adminList);
        Assert.Contains(bobServer.Name, adminList);

        var affected = Names(await WebHost.Json(await bob.GetAsync("/api/servers/images/affected?image=" + Uri.EscapeDataString(host.Image))));
        Assert.Equal(new[] { bobServer.Name }, affected);

        // Bob acts on Alice's server: 404 Problem Details, exactly as for a server that does not exist; nothing changes.
        var aliceContainer = host.ContainerId(aliceServer.Name);
        foreach (var action in new[] { "recreate", "rollback", "backup" })
        {
            var response = await bob.PostAsync($"/api/servers/{aliceServer.Name}/{action}", null);
            await AssertProblemAsync(response, HttpStatusCode.NotFound, "ServerNotFound");
        }

        Assert.Equal(aliceContainer, host.ContainerId(aliceServer.Name));
        var bobUpdate = await bob.PostAsJsonAsync("/api/servers/images/update", new { image = host.Image, servers = new[] { aliceServer.Name } });
        await AssertProblemAsync(bobUpdate, HttpStatusCode.NotFound, "ServerNotFound");

        // Positive control in the same window: Alice's own recreate (onto a newer local image) is accepted and replaces her container.
        host.Sandbox.PushVariant("v2", host.Image);
        await host.Manager.PullImageAsync(host.Image);
        var accepted = await alice.PostAsync($"/api/servers/{aliceServer.Name}/recreate", null);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = await WebHost.Json(accepted);
        Assert.Equal($"/api/jobs/{job.GetProperty("id").GetString()}", accepted.Headers.Location?.OriginalString);

        // Bob cannot see Alice's job either.
        await AssertProblemAsync(await bob.GetAsync("/api/jobs/" + job.GetProperty("id").GetString()), HttpStatusCode.NotFound, "JobNotFound");
        var done = await WebHost.WaitForJobAsync(alice, job.GetProperty("id").GetString()!, TimeSpan.FromMinutes(3));
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal("Updated", done.GetProperty("result").GetProperty("outcome").GetString());
        Assert.NotEqual(aliceContainer, host.ContainerId(aliceServer.Name));

        // History: Alice sees her recreate; Bob sees none of it.
        var aliceHistory = await WebHost.Json(await alice.GetAsync("/api/servers/history"));
        Assert.Contains(aliceHistory.EnumerateArray(), r => r.GetProperty("server").GetString() == aliceServer.Name);
        var bobHistory = await WebHost.Json(await bob.GetAsync("/api/servers/history"));
        Assert.DoesNotContain(bobHistory.EnumerateArray(), r => r.GetProperty("server").GetString() == aliceServer.Name);
    }

    [Fact]
    public async Task Bad_input_is_400_or_404_problem_details_with_the_error_id_and_changes_nothing()
    {
        using var host = new WebHost();
        // A user of this test only: other tests of the class create servers for their users in the same engine at the same time.
        var aliceId = "alice-" + Guid.NewGuid().ToString("N")[..6];
        var alice = host.Client(aliceId);

        // An invalid reference: 400 with InvalidImageReference; nothing pulled.
        var invalid = await alice.PostAsJsonAsync("/api/servers/images/pull", new { image = "Not A Valid::Ref" });
        var problem = await AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "InvalidImageReference");
        Assert.Equal("Not A Valid::Ref", problem.GetProperty("target").GetString());
        await AssertProblemAsync(await alice.GetAsync("/api/servers/images/plan?image=%3A%3A"), HttpStatusCode.BadRequest, "InvalidImageReference");

        // An image that is not a required one: 400 ImageNotRequired (a user cannot pull arbitrary images onto the host).
        await AssertProblemAsync(await alice.PostAsJsonAsync("/api/servers/images/pull", new { image = host.Sandbox.Registry + "/tbro98/other:latest" }), HttpStatusCode.BadRequest, "ImageNotRequired");
        Assert.False(host.Sandbox.ImageExists(host.Image));

        // An unknown server: 404 ServerNotFound; the server list is as before.
        var server = await host.NewServerAsync(aliceId);
        var before = host.ContainerId(server.Name);
        await AssertProblemAsync(await alice.PostAsync("/api/servers/no-such-server/recreate", null), HttpStatusCode.NotFound, "ServerNotFound");
        Assert.Equal(new[] { server.Name }, Names(await WebHost.Json(await alice.GetAsync("/api/servers"))));
        Assert.Equal(before, host.ContainerId(server.Name));

        // Anonymous: 401, no body leak.
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client(null).GetAsync("/api/servers")).StatusCode);

        // Positive control: the same pull with a valid required image is accepted and the image arrives.
        host.Sandbox.TryDocker("rmi", host.Image);
        Assert.False(host.Sandbox.ImageExists(host.Image));
        var accepted = await alice.PostAsJsonAsync("/api/servers/images/pull", new { image = host.Image });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var done = await WebHost.WaitForJobAsync(alice, (await WebHost.Json(accepted)).GetProperty("id").GetString()!, TimeSpan.FromMinutes(2));
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.True(host.Sandbox.ImageExists(host.Image));
    }

    [Fact]
    public async Task Update_streams_progress_as_server_sent_events_and_a_dropped_client_does_not_cancel_it()
    {
        using var host = new WebHost();
        var alice = host.Client("alice");
        var server = await host.NewServerAsync("alice");
        var oldContainer = host.ContainerId(server.Name);
        host.Sandbox.PushVariant("v2", host.Image);

        var checks = await WebHost.Json(await alice.GetAsync("/api/servers/images/check-updates"));
        Assert.True(checks.GetProperty(host.Image).GetBoolean());

        var plan = await WebHost.Json(await alice.GetAsync("/api/servers/images/plan?image=" + Uri.EscapeDataString(host.Image)));
        Assert.Equal(server.Name, Assert.Single(plan.EnumerateArray()).GetProperty("server").GetString());
        Assert.Equal(oldContainer, host.ContainerId(server.Name));

        // Ask for the event stream, read the first events, then drop the connection half-way.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/servers/images/update") { Content = JsonContent.Create(new { image = host.Image }) };
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("text/event-stream");
        string jobId;
        using (var cts = new CancellationTokenSource())
        {
            var response = await alice.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            jobId = response.Headers.GetValues("X-Ark-Job").Single();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
            var line = await reader.ReadLineAsync(cts.Token);
            while (line is not null && line != "event: progress")
            {
                line = await reader.ReadLineAsync(cts.Token);
            }

            Assert.Equal("event: progress", line);
            await cts.CancelAsync();
            response.Dispose();
        }

        // Re-attach: the job ran on to its end, and its event stream replays every event up to "done".
        var events = await ReadEventsAsync(alice, "/api/jobs/" + jobId + "/events");
        Assert.Equal("done", events[^1].Type);
        Assert.Equal("succeeded", events[^1].Data.GetProperty("state").GetString());
        var steps = events.Where(e => e.Type == "progress" && e.Data.TryGetProperty("step", out var s) && s.ValueKind == JsonValueKind.String)
            .Select(e => e.Data.GetProperty("step").GetString()).Distinct().ToList();
        Assert.Contains("Create", steps);
        Assert.Contains("HealthGate", steps);
        Assert.NotEqual(oldContainer, host.ContainerId(server.Name));

        var history = await WebHost.Json(await alice.GetAsync("/api/servers/history?server=" + server.Name));
        var record = Assert.Single(history.EnumerateArray());
        Assert.Equal("Updated", record.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_seed_routes()
    {
        using var host = new WebHost();
        var document = await WebHost.Json(await host.Client(null).GetAsync("/openapi/v1.json"));
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var route in new[] { "/api/servers/images/status", "/api/servers/images/pull", "/api/servers/images/check-updates", "/api/servers/images/update", "/api/servers/{id}/recreate", "/api/servers/{id}/rollback", "/api/servers/history", "/api/jobs/{id}/events" })
        {
            Assert.Contains(route, paths);
        }

        Assert.DoesNotContain(paths, p => p.StartsWith("/ark", StringComparison.Ordinal));
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string errorId)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await WebHost.Json(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(errorId, problem.GetProperty("errorId").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        return problem;
    }

    internal static async Task<List<(string Type, JsonElement Data)>> ReadEventsAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string, JsonElement)>();
        string? type = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && type is not null)
            {
                using var doc = JsonDocument.Parse(line["data: ".Length..]);
                events.Add((type, doc.RootElement.Clone()));
            }
        }

        return events;
    }

    private static string[] Names(JsonElement list) => list.EnumerateArray().Select(s => s.GetProperty("name").GetString()!).OrderBy(n => n, StringComparer.Ordinal).ToArray();
}
