using ArkManager.Images.AspNetCore;
using ArkManager.Images.WebSample;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

// A web app embedding ArkManager.Images: the API under /api, the dashboard under /ark, health under /health, OpenAPI
// under /openapi/v1.json. Configuration: the "ArkManager" section (appsettings.json, or ArkManager__dockerHost=… etc.).
var app = SampleApp.Build(args);
app.Run();

/// <summary>The sample host, built the same way by `dotnet run`, the Cake Web target and the tests.</summary>
public static class SampleApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        builder.Services.AddArkImageManagement(builder.Configuration.GetSection("ArkManager"));
        builder.Services.AddHealthChecks().AddArkImageChecks(includeRegistry: builder.Configuration.GetValue("Sample:RegistryHealthCheck", true));
        builder.Services.AddAuthentication(DemoAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, DemoAuthenticationHandler>(DemoAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization(options => options.AddPolicy("ark-users", policy => policy.RequireAuthenticatedUser().RequireClaim(DemoAuthenticationHandler.OwnerClaim)));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapArkImageEndpoints("/api", ark =>
        {
            ark.Policy = "ark-users";
            ark.OwnerClaimType = DemoAuthenticationHandler.OwnerClaim;
            ark.AdminRole = DemoAuthenticationHandler.AdminRole;
            ark.Recreation = ark.Recreation with
            {
                HealthTimeout = TimeSpan.FromSeconds(builder.Configuration.GetValue("Sample:HealthTimeoutSeconds", 60.0)),
                StableFor = TimeSpan.FromSeconds(builder.Configuration.GetValue("Sample:StableForSeconds", 2.0)),
            };
        });
        app.MapArkImageDashboard("/ark", "/api", policy: "ark-users");
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthJson.WriteAsync });
        app.MapOpenApi();

        // SAMPLE ONLY: "sign in" as a demo user with a cookie (the dashboard then works in a plain browser).
        app.MapGet("/login", (HttpContext http, string user, string? roles) =>
        {
            http.Response.Cookies.Append("ark-user", user, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict });
            http.Response.Cookies.Append("ark-roles", roles ?? string.Empty, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict });
            return Results.Redirect("/ark/");
        });
        app.MapGet("/", () => Results.Redirect("/ark/"));
        return app;
    }
}

/// <summary>The health report as JSON: overall status and each check's status and description.</summary>
internal static class HealthJson
{
    public static Task WriteAsync(HttpContext http, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}

public partial class Program
{
}
