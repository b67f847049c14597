using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ArkManager.Images.WebSample;

/// <summary>
/// SAMPLE ONLY, never for production: the user named by the <c>X-Ark-User</c> header or the <c>ark-user</c> cookie
/// (roles from <c>X-Ark-Roles</c> / <c>ark-roles</c>, comma-separated), else <c>Sample:DemoUser</c> when configured.
/// </summary>
public sealed class DemoAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    public const string SchemeName = "Demo";
    public const string OwnerClaim = "ark:user";
    public const string AdminRole = "ark-admin";

    private readonly IConfiguration _configuration;

    public DemoAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IConfiguration configuration)
        : base(options, logger, encoder)
    {
        _configuration = configuration;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = First(Request.Headers["X-Ark-User"].ToString(), Request.Cookies["ark-user"], _configuration["Sample:DemoUser"]);
        if (string.IsNullOrWhiteSpace(user))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var roles = First(Request.Headers["X-Ark-Roles"].ToString(), Request.Cookies["ark-roles"], _configuration["Sample:DemoRoles"]) ?? string.Empty;
        var claims = new List<Claim> { new(ClaimTypes.Name, user), new(OwnerClaim, user) };
        claims.AddRange(roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    private static string? First(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
