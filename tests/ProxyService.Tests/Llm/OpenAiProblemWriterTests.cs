using System.Text.Json;
using Gateway.ProxyService.Services.Llm;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Tests.Llm;

public sealed class OpenAiProblemWriterTests
{
    private readonly OpenAiProblemWriter _writer = new(Options.Create(new LlmOptions()));

    [Theory]
    [InlineData("/v1", true)]
    [InlineData("/v1/chat/completions", true)]
    [InlineData("/V1/Models", true)]
    [InlineData("/v1/no/such/endpoint", true)]
    [InlineData("/v10/models", false)]
    [InlineData("/v1.0/invoke/pool/method/usage", false)]
    [InlineData("/api/proxy/demo/v1/tasks", false)]
    [InlineData("/healthz", false)]
    public void CanWrite_ClaimsTheRequestsBelowV1Only(string path, bool claimed) =>
        Assert.Equal(claimed, _writer.CanWrite(Problem(path, StatusCodes.Status404NotFound)));

    public static TheoryData<int, string, string> Statuses => new()
    {
        { StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_request" },
        { StatusCodes.Status401Unauthorized, "invalid_request_error", "unauthorized" },
        { StatusCodes.Status404NotFound, "invalid_request_error", "unknown_url" },
        { StatusCodes.Status405MethodNotAllowed, "invalid_request_error", "method_not_allowed" },
        { StatusCodes.Status408RequestTimeout, "invalid_request_error", "request_timeout" },
        { StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large" },
        { StatusCodes.Status415UnsupportedMediaType, "invalid_request_error", "invalid_request" },
        { StatusCodes.Status500InternalServerError, "server_error", "internal_error" },
        { StatusCodes.Status503ServiceUnavailable, "server_error", "internal_error" },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public async Task WriteAsync_FrameworkProblem_IsWrittenInOpenAisShapeWithAFixedMessage(int status, string type, string code)
    {
        var problem = Problem("/v1/chat/completions", status);

        await _writer.WriteAsync(problem);

        var response = problem.HttpContext.Response;
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.ContentType);
        response.Body.Position = 0;
        var error = JsonDocument.Parse(response.Body).RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.DoesNotContain("exception detail", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static ProblemDetailsContext Problem(string path, int status)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        context.Response.StatusCode = status;
        return new ProblemDetailsContext { HttpContext = context, ProblemDetails = new ProblemDetails { Status = status, Detail = "exception detail" } };
    }
}
