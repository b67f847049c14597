using ArkManager.Images.Registry;

namespace ArkManager.Images.Tests.Registry;

[Trait("Category", "Unit")]
public sealed class WwwAuthenticateParserTests
{
    [Fact]
    public void Bearer_with_scope_holding_commas_and_colons()
    {
        var challenges = WwwAuthenticateParser.Parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:samalba/my-app:pull,push\"");

        var c = Assert.Single(challenges);
        Assert.True(c.IsBearer);
        Assert.Equal("https://auth.docker.io/token", c.Realm);
        Assert.Equal("registry.docker.io", c.Service);
        Assert.Equal("repository:samalba/my-app:pull,push", c.Scope);
    }

    [Fact]
    public void Scope_with_several_resources_and_error_parameter()
    {
        var c = Assert.Single(WwwAuthenticateParser.Parse(
            "Bearer realm=\"http://127.0.0.1:5001/token\", service=\"sandbox-registry\", scope=\"repository:a/b:pull repository:c/d:pull,push\", error=\"insufficient_scope\""));

        Assert.Equal("repository:a/b:pull repository:c/d:pull,push", c.Scope);
        Assert.Equal("insufficient_scope", c.Error);
    }

    [Fact]
    public void Basic_challenge()
    {
        var c = Assert.Single(WwwAuthenticateParser.Parse("Basic realm=\"Registry Realm\""));
        Assert.True(c.IsBasic);
        Assert.Equal("Registry Realm", c.Realm);
    }

    [Fact]
    public void Scheme_and_parameter_names_are_case_insensitive_and_white_space_is_tolerated()
    {
        var c = Assert.Single(WwwAuthenticateParser.Parse("bearer   REALM = \"https://x/token\" ,  Service=reg.example.com"));
        Assert.True(c.IsBearer);
        Assert.Equal("https://x/token", c.Realm);
        Assert.Equal("reg.example.com", c.Service);
    }

    [Fact]
    public void Several_challenges_in_one_value()
    {
        var challenges = WwwAuthenticateParser.Parse("Basic realm=\"a, b\", Bearer realm=\"https://t/token\",service=\"s\"");
        Assert.Equal(2, challenges.Count);
        Assert.True(challenges[0].IsBasic);
        Assert.Equal("a, b", challenges[0].Realm);
        Assert.True(challenges[1].IsBearer);
        Assert.Equal("s", challenges[1].Service);
    }

    [Fact]
    public void Several_header_values()
    {
        var challenges = WwwAuthenticateParser.Parse(new[] { "Basic realm=\"x\"", "Bearer realm=\"https://t/token\"" });
        Assert.Equal(new[] { "Basic", "Bearer" }, challenges.Select(c => c.Scheme));
    }

    [Fact]
    public void Escaped_quotes_inside_quoted_strings()
    {
        var c = Assert.Single(WwwAuthenticateParser.Parse("Bearer realm=\"https://t/token\",service=\"say \\\"hi\\\", ok\""));
        Assert.Equal("say \"hi\", ok", c.Service);
    }

    [Fact]
    public void Unquoted_url_value_is_accepted()
    {
        var c = Assert.Single(WwwAuthenticateParser.Parse("Bearer realm=https://auth.example.com/token,service=registry"));
        Assert.Equal("https://auth.example.com/token", c.Realm);
        Assert.Equal("registry", c.Service);
    }

    [Fact]
    public void Scheme_without_parameters_and_token68()
    {
        var challenges = WwwAuthenticateParser.Parse("Negotiate abc+/d==, Bearer");
        Assert.Equal(2, challenges.Count);
        Assert.Equal("abc+/d==", challenges[0].Token68);
        Assert.True(challenges[1].IsBearer);
        Assert.Empty(challenges[1].Parameters);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(",,,")]
    [InlineData("\"realm\"")]
    [InlineData("=x")]
    public void Empty_or_garbage_yields_no_challenge(string? header) => Assert.Empty(WwwAuthenticateParser.Parse(header));

    [Fact]
    public void Unterminated_quote_keeps_what_was_read_and_does_not_throw()
    {
        var c = Assert.Single(WwwAuthenticateParser.Parse("Bearer service=\"ok\",realm=\"https://t/tok"));
        Assert.Equal("ok", c.Service);
        Assert.Null(c.Realm);
    }

    [Fact]
    public void Duplicate_parameter_keeps_the_first()
    {
        var c = Assert.Single(WwwAuthenticateParser.Parse("Bearer realm=\"first\", realm=\"second\""));
        Assert.Equal("first", c.Realm);
    }
}
