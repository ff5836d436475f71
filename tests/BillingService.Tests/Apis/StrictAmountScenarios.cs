using System.Net;
using System.Text.Json;
using Gateway.BillingService.Tests.Support;
using Gateway.ServiceDefaults;

namespace Gateway.BillingService.Tests.Apis;

/// <summary>The requests whose amount of money is given.</summary>
public enum AmountRequest
{
    Reserve,
    Finalize,
    Credit,
    CreditLimit,
}

/// <summary>
/// Money is a JSON integer of minor units, given once: anything a parser could read as another
/// amount is refused with 400 naming the field, and nothing is written, on every request that
/// carries an amount.
/// </summary>
public abstract class StrictAmountScenarios(StackFixture fixture)
{
    private BillingApi Api => fixture.Shared.Api;

    /// <summary>The amount member as sent (the field name included, so a row can repeat it), for every request.</summary>
    public static TheoryData<AmountRequest, string> NotAnAmount()
    {
        string[] everywhere =
        [
            "\"amount\":\"100\"",
            "\"amount\":\" 100\"",
            "\"amount\":\"1e2\"",
            "\"amount\":true",
            "\"amount\":false",
            "\"amount\":100.5",
            "\"amount\":100.0",
            "\"amount\":1e2",
            "\"amount\":1E+2",
            "\"amount\":1.5e3",
            "\"amount\":-100",
            "\"amount\":-1e2",
            "\"amount\":1000000000000001",
            "\"amount\":9223372036854775807",
            "\"amount\":9223372036854775808",
            "\"amount\":-9223372036854775809",
            "\"amount\":79228162514264337593543950336",
            "\"amount\":1e400",
            "\"amount\":[100]",
            "\"amount\":{\"value\":100}",
            "\"amount\":null",
            "\"amount\":1,\"amount\":1000",
            "\"amount\":1000,\"amount\":1",
            "\"amount\":5,\"amount\":5",
            "\"amount\":5,\"Amount\":500",
            "\"AMOUNT\":500,\"amount\":5",
        ];
        TheoryData<AmountRequest, string> rows = [];
        foreach (var request in Enum.GetValues<AmountRequest>())
        {
            foreach (var member in everywhere)
            {
                rows.Add(request, request == AmountRequest.CreditLimit ? AsCreditLimit(member) : member);
            }
        }

        // Zero is a release for a finalize and no limit for a credit limit, but no reserve or credit.
        rows.Add(AmountRequest.Reserve, "\"amount\":0");
        rows.Add(AmountRequest.Credit, "\"amount\":0");
        return rows;

        static string AsCreditLimit(string member) => member
            .Replace("\"amount\"", "\"creditLimit\"", StringComparison.Ordinal)
            .Replace("\"Amount\"", "\"CreditLimit\"", StringComparison.Ordinal)
            .Replace("\"AMOUNT\"", "\"CREDITLIMIT\"", StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NotAnAmount))]
    public async Task Amount_NotAJsonIntegerGivenOnce_Returns400NamingTheFieldAndWritesNothing(AmountRequest request, string amountMember)
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 100);
        var accountBefore = await Api.AccountAsync(account);
        var reservationBefore = await Api.GetReservationAsync(id);
        var (method, path, body) = request switch
        {
            AmountRequest.Reserve => (HttpMethod.Post, "/reservations", $$"""{"accountId":"{{account}}","reference":"r","provider":"acme","operation":"op",{{amountMember}},"amountType":"estimate"}"""),
            AmountRequest.Finalize => (HttpMethod.Post, $"/reservations/{id}/finalize", $$"""{{{amountMember}},"reason":"ok"}"""),
            AmountRequest.Credit => (HttpMethod.Post, $"/accounts/{account}/credits", $$"""{{{amountMember}},"idempotencyKey":"k-1"}"""),
            _ => (HttpMethod.Put, $"/accounts/{account}/credit-limit", $$"""{{{amountMember}}}"""),
        };

        var answer = await Api.SendRawAsync(method, path, body);

        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{request} {body} → {answer}");
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal(ProblemTypes.BadRequest, answer.ProblemType);
        Assert.Equal("invalid_request", answer.String("code"));
        var field = request == AmountRequest.CreditLimit ? "creditLimit" : "amount";
        var errors = answer.Body.GetProperty("errors").EnumerateObject().ToList();
        var error = Assert.Single(errors, e => string.Equals(e.Name, field, StringComparison.OrdinalIgnoreCase));
        string[] clear = ["JSON integer", "more than once", "is required", "whole number of minor units between"];
        Assert.All(error.Value.EnumerateArray(), m => Assert.True(clear.Any(c => m.GetString()!.Contains(c, StringComparison.Ordinal)), $"{body} → {m}"));
        Assert.True(Json.Same(accountBefore.Body, (await Api.AccountAsync(account)).Body), $"{request} {body} changed the account");
        Assert.True(Json.Same(reservationBefore.Body, (await Api.GetReservationAsync(id)).Body), $"{request} {body} changed the reservation");
        Assert.Equal(2, (await Api.EntriesAsync(account)).Count);
    }

    /// <summary>The same requests with the amount as a plain JSON integer: the control rows of the table above.</summary>
    [Theory]
    [InlineData(AmountRequest.Reserve)]
    [InlineData(AmountRequest.Finalize)]
    [InlineData(AmountRequest.Credit)]
    [InlineData(AmountRequest.CreditLimit)]
    public async Task Amount_JsonInteger_IsAccepted(AmountRequest request)
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 100);
        var (method, path, body, expected) = request switch
        {
            AmountRequest.Reserve => (HttpMethod.Post, "/reservations", $$"""{"accountId":"{{account}}","reference":"r","provider":"acme","operation":"op","amount":100,"amountType":"estimate"}""", HttpStatusCode.Created),
            AmountRequest.Finalize => (HttpMethod.Post, $"/reservations/{id}/finalize", """{"amount":100,"reason":"ok"}""", HttpStatusCode.OK),
            AmountRequest.Credit => (HttpMethod.Post, $"/accounts/{account}/credits", """{"amount":100,"idempotencyKey":"k-1"}""", HttpStatusCode.OK),
            _ => (HttpMethod.Put, $"/accounts/{account}/credit-limit", """{"creditLimit":100}""", HttpStatusCode.OK),
        };

        var answer = await Api.SendRawAsync(method, path, body);

        Assert.True(answer.Status == expected, $"{request} {body} → {answer}");
        Assert.Equal(JsonValueKind.Object, answer.Body.ValueKind);
    }
}

[Collection(OnSqlite.Name)]
public sealed class SqliteStrictAmountScenarios(SqliteStackFixture fixture) : StrictAmountScenarios(fixture);

[Collection(OnPostgres.Name)]
public sealed class PostgresStrictAmountScenarios(PostgresStackFixture fixture) : StrictAmountScenarios(fixture);
