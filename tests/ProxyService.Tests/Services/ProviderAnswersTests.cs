using System.Collections.Frozen;
using System.Text;
using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Model;
using Gateway.ProxyService.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gateway.ProxyService.Tests.Services;

public sealed class ProviderAnswersTests
{
    private static readonly SubmitRoute Submit = new("generate", "POST", PathGlob.Parse("/tasks"), JsonPath.Parse("$.data.taskId"), 100, "estimate");
    private static readonly JsonPath[] ErrorCodePaths = [JsonPath.Parse("$.errorCode"), JsonPath.Parse("$.code")];
    private static readonly BillingHold Estimate = new(BillingMode.Required, 100, "estimate", "rsv_1");

    public static TheoryData<int, string, string> SubmitFailures => new()
    {
        { 500, """{"data":{"taskId":"t1"}}""", "error_http_500" },
        { 429, "", "error_http_429" },
        { 404, """{"errorCode":"NOT_FOUND"}""", "error_http_404" },
        { 200, """{"errorCode":"QUOTA_EXCEEDED","message":"no"}""", "QUOTA_EXCEEDED" },
        { 200, """{"code":1001,"msg":"bad prompt"}""", "1001" },
        { 200, """{"code":"bad code/with spaces"}""", "bad_code_with_spaces" },
        { 200, """{"status":"queued"}""", "no_task_id" },
        { 200, """{"data":{"taskId":""}}""", "no_task_id" },
        { 200, "not json at all", "no_task_id" },
        { 202, "", "no_task_id" },
    };

    [Theory]
    [MemberData(nameof(SubmitFailures))]
    public void ReadSubmit_Failures_GiveTheReleaseReason(int status, string body, string reason)
    {
        var verdict = ProviderAnswers.ReadSubmit(Answer(status, body), Submit, ErrorCodePaths);

        Assert.Equal(reason, Assert.IsType<SubmitVerdict.Failed>(verdict).Reason);
    }

    [Theory]
    [InlineData(200, """{"data":{"taskId":"t-1"},"code":0}""", "t-1")]
    [InlineData(201, """{"data":{"taskId":12345}}""", "12345")]
    public void ReadSubmit_TaskId_Accepts(int status, string body, string taskId) =>
        Assert.Equal(taskId, Assert.IsType<SubmitVerdict.Accepted>(ProviderAnswers.ReadSubmit(Answer(status, body), Submit, ErrorCodePaths)).TaskId);

    public static TheoryData<string, int, string> Statuses => new()
    {
        // body, http status, expected verdict ("pending", "failed:{reason}", "charge:{amount}")
        { """{"status":"running"}""", 200, "pending" },
        { """{"status":"SUCCEEDED","items":[{"n":10},{"n":32}]}""", 500, "pending" },
        { """{"status":"unknown-value"}""", 200, "pending" },
        { """{"state":"succeeded"}""", 200, "pending" },
        { "<html>", 200, "pending" },
        { """{"status":"FAILED"}""", 200, "failed:task_FAILED" },
        { """{"status":"cancelled by user"}""", 200, "failed:task_cancelled_by_user" },
        { """{"status":"succeeded","items":[{"n":10},{"n":32}]}""", 200, "charge:42" },
        { """{"status":"Succeeded","items":[{"n":10.2},{"n":0.3}],"extra":{"n":5}}""", 200, "charge:16" },
        { """{"status":"succeeded","items":[]}""", 200, "charge:100" },
        { """{"status":"succeeded","items":[{"n":0}]}""", 200, "charge:0" },
        { """{"status":"succeeded","items":[{"n":-7}]}""", 200, "charge:0" },
        { """{"status":"succeeded","items":[{"n":1e20}]}""", 200, "charge:1000000000000000" },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void ReadStatus_Table(string body, int status, string expected)
    {
        var verdict = ProviderAnswers.ReadStatus(Answer(status, body), Query(["$.items[*].n", "$.extra.n"]), Estimate, 1m);

        Assert.Equal(expected, Describe(verdict));
    }

    [Fact]
    public void ReadStatus_FixedReservation_ChargesItsAmountWhateverTheUsage()
    {
        var verdict = ProviderAnswers.ReadStatus(Answer(200, """{"status":"succeeded","items":[{"n":7}]}"""), Query(["$.items[*].n"]), Estimate with { AmountType = "fixed", Amount = 30 }, 1m);

        Assert.Equal("charge:30", Describe(verdict));
    }

    [Fact]
    public void ReadStatus_NoUsagePaths_ChargesTheReservedAmount()
    {
        var verdict = ProviderAnswers.ReadStatus(Answer(200, """{"status":"succeeded","items":[{"n":7}]}"""), Query([]), Estimate, 1m);

        Assert.Equal("charge:100", Describe(verdict));
    }

    [Fact]
    public void ReadStatus_Multiplier_ScalesAndRoundsUp()
    {
        var verdict = ProviderAnswers.ReadStatus(Answer(200, """{"status":"succeeded","items":[{"n":3}]}"""), Query(["$.items[*].n"]), Estimate, 2.5m);

        Assert.Equal("charge:8", Describe(verdict));
    }

    [Theory]
    [InlineData("QUOTA_EXCEEDED", "QUOTA_EXCEEDED")]
    [InlineData("a b/c\u00e9", "a_b_c_")]
    [InlineData("", "provider_error")]
    public void Sanitize_KeepsOnlyReasonCharacters(string value, string expected) =>
        Assert.Equal(expected, ProviderAnswers.Sanitize(value));

    [Fact]
    public void Sanitize_LongCodes_AreCut() =>
        Assert.Equal(ProviderAnswers.MaxReasonLength, ProviderAnswers.Sanitize(new string('x', 500)).Length);

    [Theory]
    [InlineData(nameof(TaskIdSource.PathSegment), "/tasks/t-9", "", "", "t-9")]
    [InlineData(nameof(TaskIdSource.PathSegment), "/tasks/", "", "", null)]
    [InlineData(nameof(TaskIdSource.PathSegment), "/tasks", "", "", null)]
    [InlineData(nameof(TaskIdSource.Query), "/status", "t-9", "", "t-9")]
    [InlineData(nameof(TaskIdSource.Query), "/status", "", "", null)]
    [InlineData(nameof(TaskIdSource.Body), "/query", "", """{"task":{"id":"t-9"}}""", "t-9")]
    [InlineData(nameof(TaskIdSource.Body), "/query", "", """{"task":{}}""", null)]
    [InlineData(nameof(TaskIdSource.Body), "/query", "", "{not json", null)]
    [InlineData(nameof(TaskIdSource.Body), "/query", "", "", null)]
    public void ReadTaskId_FromEachSource(string sourceName, string path, string queryValue, string body, string? expected)
    {
        var route = Query([]) with { TaskIdSource = Enum.Parse<TaskIdSource>(sourceName), TaskIdSegment = 1, TaskIdQueryParameter = "taskId", TaskIdBodyPath = JsonPath.Parse("$.task.id") };
        var query = new QueryCollection(queryValue.Length == 0 ? [] : new Dictionary<string, StringValues> { ["taskId"] = queryValue });

        Assert.Equal(expected, route.ReadTaskId(PathMatching.Default.Segments(path), query, Encoding.UTF8.GetBytes(body)));
    }

    private static QueryRoute Query(string[] usagePaths) => new(
        "status",
        "GET",
        PathGlob.Parse("/tasks/*"),
        TaskIdSource.PathSegment,
        1,
        null,
        null,
        JsonPath.Parse("$.status"),
        new[] { "succeeded" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
        new[] { "failed", "cancelled by user" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase),
        [.. usagePaths.Select(JsonPath.Parse)]);

    private static CachedResponse Answer(int status, string body) => new(status, [], Encoding.UTF8.GetBytes(body));

    private static string Describe(TaskVerdict verdict) => verdict switch
    {
        TaskVerdict.Succeeded s => $"charge:{s.Amount}",
        TaskVerdict.Failed f => $"failed:{f.Reason}",
        _ => "pending",
    };
}
