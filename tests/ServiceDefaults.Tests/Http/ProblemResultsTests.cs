using System.Net;
using System.Text.Json;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Gateway.Testing;

namespace Gateway.ServiceDefaults.Tests.Http;

/// <summary><see cref="ProblemResults"/>: what a client reads over HTTP, and the rules on its arguments.</summary>
public sealed class ProblemResultsTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddProblemDetails();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        _app = builder.Build();
        _app.MapGet("/problem", () => ProblemResults.Problem(
            StatusCodes.Status409Conflict, "urn:test:problem:conflict", "test_conflict", "Conflict", "It conflicts.", ("minimum", 5L), ("reservation", new { id = "r1" })));
        _app.MapGet("/plain", () => ProblemResults.Problem(StatusCodes.Status503ServiceUnavailable, "urn:test:problem:busy", "busy", "Busy", "Retry."));
        _app.MapGet("/invalid", () => ProblemResults.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["amount"] = ["must be a JSON integer"] }));
        await _app.StartAsync();
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Problem_WithExtensions_AnswersTypeCodeAndExtensions()
    {
        var (status, contentType, body) = await GetAsync("/problem");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("urn:test:problem:conflict", body.GetProperty("type").GetString());
        Assert.Equal("test_conflict", body.GetProperty(ProblemResults.CodeExtension).GetString());
        Assert.Equal("Conflict", body.GetProperty("title").GetString());
        Assert.Equal("It conflicts.", body.GetProperty("detail").GetString());
        Assert.Equal(409, body.GetProperty("status").GetInt32());
        Assert.Equal(5, body.GetProperty("minimum").GetInt64());
        Assert.Equal("r1", body.GetProperty("reservation").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Problem_WithoutExtensions_CarriesOnlyTheCode()
    {
        var (status, _, body) = await GetAsync("/plain");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("busy", body.GetProperty("code").GetString());
        Assert.Equal(["type", "title", "status", "detail", "code"], body.EnumerateObject().Select(p => p.Name).Where(n => n != "traceId"));
    }

    [Fact]
    public async Task Invalid_Errors_Answers400BadRequestTypeWithTheErrors()
    {
        var (status, contentType, body) = await GetAsync("/invalid");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(ProblemTypes.BadRequest, body.GetProperty("type").GetString());
        Assert.Equal(ProblemResults.InvalidRequestCode, body.GetProperty("code").GetString());
        Assert.Equal("The request is invalid; nothing was written.", body.GetProperty("detail").GetString());
        Assert.Equal("must be a JSON integer", body.GetProperty("errors").GetProperty("amount")[0].GetString());
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("not_found", true)]
    [InlineData("limit_exceeded_2", true)]
    [InlineData("", false)]
    [InlineData("_a", false)]
    [InlineData("1a", false)]
    [InlineData("Not_found", false)]
    [InlineData("not-found", false)]
    [InlineData("not found", false)]
    [InlineData("não", false)]
    public void IsCode_Code_IsSnakeCase(string code, bool valid)
    {
        Assert.Equal(valid, ProblemResults.IsCode(code));
        if (!valid)
        {
            Assert.Throws<ArgumentException>(() => ProblemResults.Problem(400, "urn:t", code, "T", "D"));
        }
    }

    [Theory]
    [InlineData(200)]
    [InlineData(399)]
    [InlineData(600)]
    public void Problem_StatusNotAnError_Throws(int status)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ProblemResults.Problem(status, "urn:t", "c", "T", "D"));
    }

    [Theory]
    [InlineData("code")]
    [InlineData("twice")]
    public void Problem_ExtensionClashing_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => ProblemResults.Problem(400, "urn:t", "c", "T", "D", (name, 1), ("twice", 2)));
    }

    private async Task<(HttpStatusCode Status, string? ContentType, JsonElement Body)> GetAsync(string path)
    {
        using var response = await _client.GetAsync(new Uri(path, UriKind.Relative));
        var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }
}
