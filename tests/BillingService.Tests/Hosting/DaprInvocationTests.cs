using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using Gateway.BillingService.Apis;
using Gateway.Testing;

namespace Gateway.BillingService.Tests.Hosting;

/// <summary>
/// BillingService as it is deployed: its own process behind its own LocalSidecar (SQLite), called
/// by another app through that app's sidecar, as in the README (raw HTTP and the Dapr SDK's invoke
/// client): the operator's calls (credit, reads) with the operator token, which crosses both
/// sidecars; the caller's reserve and finalize without it.
/// </summary>
public sealed class DaprInvocationTests : IAsyncLifetime
{
    private const string OperatorToken = "invocation-operator-token";

    private readonly TempFolder _folder = new("billing-invoke");
    private SidecarProcess? _billingSidecar;
    private SidecarProcess? _callerSidecar;
    private TestProcess? _billing;

    public async Task InitializeAsync()
    {
        var components = Directory.CreateDirectory(_folder.Combine("components")).FullName;
        await File.WriteAllTextAsync(Path.Combine(components, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, connection: _folder.Combine("gateway.db")));
        var registry = _folder.Combine("registry");
        var billingPort = FreePort.Next();
        _billingSidecar = await SidecarProcess.StartAsync("billing", components, registry, billingPort);
        _callerSidecar = await SidecarProcess.StartAsync("proxy", components, registry);
        _billing = TestProcess.StartDotnet(Launchables.BillingService, ["--urls", $"http://127.0.0.1:{billingPort}"], new Dictionary<string, string?>
        {
            ["DAPR_HTTP_PORT"] = _billingSidecar.HttpPort.ToString(CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = _billingSidecar.GrpcPort.ToString(CultureInfo.InvariantCulture),
            ["APP_ID"] = "billing",
            ["Billing__OperatorToken"] = OperatorToken,
        });
        try
        {
            await _billingSidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- BillingService ---\n{_billing.Output}", e);
        }
    }

    [Fact]
    public async Task AnotherApp_ThroughItsSidecar_CreditsReservesFinalizesAndReads()
    {
        var account = "acct-" + Guid.NewGuid().ToString("N")[..12];
        using var http = new HttpClient { BaseAddress = _callerSidecar!.HttpEndpoint };
        const string Billing = "/v1.0/invoke/billing/method";

        using var anonymousCredit = await http.PostAsJsonAsync($"{Billing}/accounts/{account}/credits", new { amount = 5_000, idempotencyKey = "topup-1" });
        using var creditRequest = new HttpRequestMessage(HttpMethod.Post, $"{Billing}/accounts/{account}/credits") { Content = JsonContent.Create(new { amount = 5_000, idempotencyKey = "topup-1" }) };
        creditRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        using var credit = await http.SendAsync(creditRequest);
        using var reserve = await http.PostAsJsonAsync($"{Billing}/reservations", new { accountId = account, reference = "call-1", provider = "acme", operation = "POST /v1/tasks", amount = 1_200, amountType = "estimate", ttlSeconds = 600, idempotencyKey = "call-1" });
        var reservation = await reserve.Content.ReadFromJsonAsync<JsonElement>();
        var id = reservation.GetProperty("reservationId").GetString();
        using var finalize = await http.PostAsJsonAsync($"{Billing}/reservations/{id}/finalize", new { amount = 900, reason = "succeeded" });
        using var conflict = await http.PostAsJsonAsync($"{Billing}/reservations/{id}/release", new { reason = "late" });
        using var anonymousRead = await http.GetAsync($"{Billing}/accounts/{account}");
        using var readRequest = new HttpRequestMessage(HttpMethod.Get, $"{Billing}/accounts/{account}");
        readRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        using var readResponse = await http.SendAsync(readRequest);
        var read = await readResponse.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (anonymousCredit.StatusCode, anonymousRead.StatusCode));
        Assert.Equal(HttpStatusCode.OK, credit.StatusCode);
        Assert.Equal(HttpStatusCode.Created, reserve.StatusCode);
        Assert.Equal(HttpStatusCode.OK, finalize.StatusCode);
        Assert.Equal("finalized", (await finalize.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType?.MediaType);
        Assert.Equal(BillingProblems.ReservationConflictType, (await conflict.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Equal((4_100L, 0L), (read.GetProperty("balance").GetInt64(), read.GetProperty("held").GetInt64()));
    }

    [Fact]
    public async Task AnotherApp_WithTheSdksInvokeClient_ReservesAndFinalizes()
    {
        using var billing = DaprClient.CreateInvokeHttpClient("billing", _callerSidecar!.HttpEndpoint.ToString());
        var account = "acct-" + Guid.NewGuid().ToString("N")[..12];

        using var creditRequest = new HttpRequestMessage(HttpMethod.Post, $"accounts/{account}/credits") { Content = JsonContent.Create(new { amount = 1_000, idempotencyKey = "topup-1" }) };
        creditRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        using var credit = await billing.SendAsync(creditRequest);
        using var reserve = await billing.PostAsJsonAsync("reservations", new { accountId = account, reference = "call-7", provider = "acme", operation = "POST /v1/tasks", amount = 300, amountType = "fixed", idempotencyKey = "call-7" });
        var id = (await reserve.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reservationId").GetString()!;
        using var finalize = await billing.PostAsJsonAsync($"reservations/{Uri.EscapeDataString(id)}/finalize", new { amount = 300 });
        var finalized = await finalize.Content.ReadFromJsonAsync<JsonElement>();
        using var short402 = await billing.PostAsJsonAsync("reservations", new { accountId = account, reference = "call-8", provider = "acme", operation = "POST /v1/tasks", amount = 5_000, amountType = "estimate" });
        using var readRequest = new HttpRequestMessage(HttpMethod.Get, $"accounts/{account}");
        readRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
        using var read = await billing.SendAsync(readRequest);
        var account1 = await read.Content.ReadFromJsonAsync<JsonElement>();

        // A callee's error body (the winning outcome of a 409) comes back as the callee wrote it.
        using var conflict = await billing.PostAsJsonAsync($"reservations/{Uri.EscapeDataString(id)}/release", new { reason = "late" });
        var problem = await conflict.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, credit.StatusCode);
        Assert.Equal(HttpStatusCode.Created, reserve.StatusCode);
        Assert.Equal("finalized", finalized.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.PaymentRequired, short402.StatusCode);
        Assert.Equal(700L, account1.GetProperty("available").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("reservation_conflict", problem.GetProperty("code").GetString());
        Assert.Equal("finalized", problem.GetProperty("reservation").GetProperty("status").GetString());
    }

    public async Task DisposeAsync()
    {
        if (_billing is not null)
        {
            await _billing.DisposeAsync();
        }

        if (_callerSidecar is not null)
        {
            await _callerSidecar.DisposeAsync();
        }

        if (_billingSidecar is not null)
        {
            await _billingSidecar.DisposeAsync();
        }

        _folder.Dispose();
    }
}
