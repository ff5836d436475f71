using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.ServiceDefaults.Http;
using Gateway.ServiceDefaults.Tests.Http.Support;
using Gateway.Testing;

namespace Gateway.ServiceDefaults.Tests.Http;

/// <summary>
/// <see cref="BearerTokenFilter"/> over real HTTP (<see cref="HttpEndpointConventionBuilderExtensions.RequireBearerToken"/>
/// on an endpoint and on a group): one trimming rule, exactly one header, 401 with
/// <c>WWW-Authenticate: Bearer</c> and the service's problem before the handler runs, 404 when no
/// token is configured.
/// </summary>
public sealed class BearerTokenFilterTests(PlumbingApp app) : IClassFixture<PlumbingApp>
{
    private const string Token = PlumbingApp.Token;

    /// <summary>The Authorization header (null: none) and whether it lets the request through.</summary>
    public static TheoryData<string?, bool> Headers => new()
    {
        { "Bearer " + Token, true },
        { "bearer " + Token, true },
        { "BEARER " + Token, true },
        { "Bearer    " + Token + "   ", true },
        { "Bearer\t" + Token + "\t", true },
        { "Bearer \t " + Token, true },
        { null, false },
        { "", false },
        { "Bearer", false },
        { "Bearer ", false },
        { "Bearer" + Token, false },
        { "Bearer " + Token.ToUpperInvariant(), false },
        { "Bearer " + Token[..^1], false },
        { "Bearer " + Token + "x", false },
        { "Bearer " + Token + " " + Token, false },
        { "Bearer " + Token + ", Bearer " + Token, false },
        { "Bearer \"" + Token + "\"", false },
        { Token, false },
        { "Token " + Token, false },
        { "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + Token)), false },
    };

    [Theory]
    [MemberData(nameof(Headers))]
    public async Task InvokeAsync_AuthorizationHeader_LetsOnlyTheTokenThrough(string? authorization, bool through)
    {
        foreach (var path in new[] { "/bearer/on", "/bearer/group" })
        {
            var calls = app.GuardedCalls;
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("the body") };
            if (authorization is not null)
            {
                Assert.True(request.Headers.TryAddWithoutValidation("Authorization", authorization));
            }

            using var response = await app.Client.SendAsync(request);

            if (through)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("the body", await response.Content.ReadAsStringAsync());
                Assert.Empty(response.Headers.WwwAuthenticate);
            }
            else
            {
                await AssertUnauthorizedAsync(response);
                Assert.Equal(calls, app.GuardedCalls);
            }
        }
    }

    [Fact]
    public async Task InvokeAsync_ConfiguredTokenWithSpacesAround_IsTrimmed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/bearer/padded") { Content = new StringContent("x") };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Token);

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_TwoAuthorizationHeaders_Returns401EvenWhenBothHoldTheToken()
    {
        await using var connection = await RawHttp.ConnectAsync(app.Port);
        await connection.SendAsync($"POST /bearer/on HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {Token}\r\nAuthorization: Bearer {Token}\r\nContent-Length: 0\r\n\r\n");

        var response = await connection.ReadResponseAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(401, response.Status);
        Assert.Equal("Bearer", response.Headers["WWW-Authenticate"]);
    }

    [Theory]
    [InlineData("/bearer/off-null", "Bearer " + Token)]
    [InlineData("/bearer/off-empty", "Bearer " + Token)]
    [InlineData("/bearer/off-blank", "Bearer " + Token)]
    [InlineData("/bearer/off-null", null)]
    [InlineData("/bearer/off-blank", "Bearer ")]
    [InlineData("/bearer/off-blank", "Bearer \t ")]
    public async Task InvokeAsync_NoTokenConfigured_Returns404WhateverIsSent(string path, string? authorization)
    {
        var calls = app.GuardedCalls;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("x") };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal(calls, app.GuardedCalls);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData(" \t", false)]
    [InlineData("t", true)]
    public void IsEnabled_ConfiguredToken_OnlyWhenNotBlank(string? token, bool enabled)
    {
        Assert.Equal(enabled, new BearerTokenFilter(token, () => Microsoft.AspNetCore.Http.TypedResults.Unauthorized()).IsEnabled);
    }

    private static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        Assert.Equal(PlumbingApp.UnauthorizedType, body.GetProperty("type").GetString());
        Assert.Equal("unauthorized", body.GetProperty("code").GetString());
    }
}
