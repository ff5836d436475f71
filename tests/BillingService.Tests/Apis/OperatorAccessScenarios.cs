using System.Net;
using System.Text;
using Gateway.BillingService.Tests.Support;
using Gateway.ServiceDefaults;

namespace Gateway.BillingService.Tests.Apis;

/// <summary>The operator endpoints: the ones that move money by hand or show accounts, ledgers and reservations.</summary>
public enum OperatorEndpoint
{
    ReadAccount,
    ReadEntries,
    Credit,
    SetCreditLimit,
    ReadReservation,
}

/// <summary>
/// The operator endpoints answer only <c>Authorization: Bearer {Billing:OperatorToken}</c>: anything
/// else is 401 with <c>WWW-Authenticate: Bearer</c> and changes nothing. Reserve, finalize and
/// release, which ProxyService calls through Dapr invocation, need no operator token.
/// </summary>
public abstract class OperatorAccessScenarios(StackFixture fixture)
{
    private const string UnauthorizedType = "urn:gateway:problem:billing:operator-unauthorized";

    private BillingApi Api => fixture.Shared.Api;

    /// <summary>Every operator endpoint with every Authorization header that is not the operator token (null: none).</summary>
    public static TheoryData<OperatorEndpoint, string?> WithoutTheOperatorToken()
    {
        const string Token = BillingReplica.OperatorToken;
        string?[] headers =
        [
            null,
            "",
            "Bearer",
            "Bearer ",
            "Bearer wrong-operator-token-of-some-length",
            "Bearer " + Token + "x",
            "Bearer " + Token[..^1],
            "Bearer " + Token.ToUpperInvariant(),
            "Bearer " + Token + " " + Token,
            Token,
            "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:" + Token)),
            "Token " + Token,
            "Bearer" + Token,
        ];
        TheoryData<OperatorEndpoint, string?> rows = [];
        foreach (var endpoint in Enum.GetValues<OperatorEndpoint>())
        {
            foreach (var header in headers)
            {
                rows.Add(endpoint, header);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(WithoutTheOperatorToken))]
    public async Task OperatorEndpoint_WithoutTheOperatorToken_Returns401BearerAndChangesNothing(OperatorEndpoint endpoint, string? authorization)
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 100);
        var before = await Api.AccountAsync(account);

        var answer = await Call(Api.WithAuthorization(authorization), endpoint, account, id);

        Assert.True(answer.Status == HttpStatusCode.Unauthorized, $"{endpoint} with '{authorization}' → {answer}");
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal(UnauthorizedType, answer.ProblemType);
        Assert.Equal("operator_unauthorized", answer.String("code"));
        Assert.Equal("Bearer", Assert.Single(answer.Headers.WwwAuthenticate).Scheme);
        Assert.DoesNotContain(account, answer.Body.GetRawText(), StringComparison.Ordinal);
        Assert.True(Json.Same(before.Body, (await Api.AccountAsync(account)).Body), $"{endpoint} with '{authorization}' changed the account");
        Assert.Equal(2, (await Api.EntriesAsync(account)).Count);
    }

    /// <summary>The control rows: with the token (the scheme in any case, spaces around it) each endpoint answers.</summary>
    [Theory]
    [InlineData(OperatorEndpoint.ReadAccount, "Bearer ")]
    [InlineData(OperatorEndpoint.ReadEntries, "bearer ")]
    [InlineData(OperatorEndpoint.Credit, "BEARER ")]
    [InlineData(OperatorEndpoint.SetCreditLimit, "Bearer  ")]
    [InlineData(OperatorEndpoint.ReadReservation, "Bearer ")]
    public async Task OperatorEndpoint_WithTheOperatorToken_Answers(OperatorEndpoint endpoint, string scheme)
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 100);

        var answer = await Call(Api.WithAuthorization(scheme + BillingReplica.OperatorToken + " "), endpoint, account, id);

        Assert.True(answer.Status == HttpStatusCode.OK, $"{endpoint} → {answer}");
    }

    [Fact]
    public async Task ReserveFinalizeRelease_WithoutAnyToken_Work()
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var caller = Api.WithoutOperatorToken();

        var first = await caller.ReserveAsync(account, 300, reference: "call-a");
        var second = await caller.ReserveAsync(account, 200, reference: "call-b");
        var finalized = await caller.FinalizeAsync(first.String("reservationId"), 250, "succeeded");
        var released = await caller.ReleaseAsync(second.String("reservationId"), "error_http_502");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.Status, second.Status));
        Assert.Equal(("finalized", 250L), (finalized.String("status"), finalized.Long("finalAmount")));
        Assert.Equal("released", released.String("status"));
        var read = await Api.AccountAsync(account);
        Assert.Equal((750L, 0L), (read.Long("balance"), read.Long("held")));
    }

    /// <summary>
    /// With no <c>Billing:OperatorToken</c> configured the operator endpoints are off: 404 as for a
    /// route that does not exist, whatever token is sent, while reserve, finalize and release answer.
    /// </summary>
    [Fact]
    public async Task OperatorEndpoints_NoTokenConfigured_Answer404AndReservationsStillWork()
    {
        await using var stack = await fixture.StartStackAsync(1, settings: new Dictionary<string, string?> { ["Billing:OperatorToken"] = "" });
        var account = BillingApiScenarios.NewAccount();
        var id = "rsv_" + Guid.NewGuid().ToString("N");

        foreach (var authorization in new[] { null, "Bearer ", "Bearer " + BillingReplica.OperatorToken })
        {
            foreach (var endpoint in Enum.GetValues<OperatorEndpoint>())
            {
                var answer = await Call(stack.Api.WithAuthorization(authorization), endpoint, account, id);
                Assert.True(answer.Status == HttpStatusCode.NotFound, $"{endpoint} with '{authorization}' → {answer}");
                Assert.Equal(ProblemTypes.NotFound, answer.ProblemType);
                Assert.False(answer.Headers.Contains("WWW-Authenticate"));
            }
        }

        var reserve = await stack.Api.WithoutOperatorToken().ReserveAsync(account, 100);
        var finalize = await stack.Api.WithoutOperatorToken().FinalizeAsync(id, 1);
        Assert.Equal("unknown_account", reserve.String("code"));
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (reserve.Status, finalize.Status));
        Assert.Equal("not_found", finalize.String("code"));
        Assert.Contains("Reservation", finalize.String("detail"), StringComparison.Ordinal);
    }

    private static Task<ApiResponse> Call(BillingApi api, OperatorEndpoint endpoint, string account, string reservationId) => endpoint switch
    {
        OperatorEndpoint.ReadAccount => api.GetAccountAsync(account),
        OperatorEndpoint.ReadEntries => api.GetAsync($"/accounts/{account}/entries"),
        OperatorEndpoint.Credit => api.CreditAsync(account, 5_000, "operator-credit"),
        OperatorEndpoint.SetCreditLimit => api.SetCreditLimitAsync(account, 5_000),
        _ => api.GetReservationAsync(reservationId),
    };
}

[Collection(OnSqlite.Name)]
public sealed class SqliteOperatorAccessScenarios(SqliteStackFixture fixture) : OperatorAccessScenarios(fixture);

[Collection(OnPostgres.Name)]
public sealed class PostgresOperatorAccessScenarios(PostgresStackFixture fixture) : OperatorAccessScenarios(fixture);
