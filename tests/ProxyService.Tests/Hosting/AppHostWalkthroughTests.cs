using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.ProxyService.Tests.Hosting;

/// <summary>
/// The README's walk-through, as a newcomer runs it right after <c>dotnet run --project AppHost</c>:
/// credit the demo account, submit a task to the <c>demo</c> provider, poll it to the end, see the
/// charge and the call. Free ports and a fresh working directory instead of the fixed ports.
/// </summary>
public sealed class AppHostWalkthroughTests : IAsyncLifetime
{
    private readonly TempFolder _workDirectory = new("proxy-walkthrough");
    private TestProcess? _appHost;
    private Dictionary<string, Uri> _urls = [];

    public async Task InitializeAsync()
    {
        _appHost = TestProcess.StartDotnet(Launchables.AppHost, ["--ports", "auto", "--work-dir", _workDirectory.Path, "--startup-timeout", "80", "--no-color"]);
        await _appHost.WaitForLineAsync(l => l == "Gateway is ready.", TimeSpan.FromSeconds(90));
        await _appHost.WaitForLineAsync(l => l.StartsWith("faketasks ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        _urls = _appHost.Output.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells is [_, "service" or "sidecar", _, var url] && url.StartsWith("http://", StringComparison.Ordinal))
            .ToDictionary(cells => cells[0], cells => new Uri(cells[3]), StringComparer.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_appHost is not null)
        {
            await _appHost.DisposeAsync();
        }

        _workDirectory.Dispose();
    }

    [Fact]
    public async Task Walkthrough_CreditSubmitPollCharge_WorksAsTheReadmeShows()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        using var operatorHttp = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        operatorHttp.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer demo-operator-token");
        var (proxy, billing) = (_urls["proxy"], _urls["billing"]);

        // 1. Credit the demo account, as its operator.
        using var credit = await operatorHttp.PostAsJsonAsync(new Uri(billing, "/accounts/demo/credits"), new { amount = 10000, idempotencyKey = "readme-credit-1" });
        credit.EnsureSuccessStatusCode();

        // 2. Submit a task; the caller's own Authorization header goes nowhere.
        using var submitRequest = new HttpRequestMessage(HttpMethod.Post, new Uri(proxy, "/api/proxy/demo/tasks")) { Content = JsonContent.Create(new { prompt = "a cat on a skateboard" }) };
        submitRequest.Headers.Add("X-Thread-Id", "demo");
        submitRequest.Headers.TryAddWithoutValidation("Authorization", "Bearer my-own-key");
        using var submit = await http.SendAsync(submitRequest);
        var submitted = JsonDocument.Parse(await submit.Content.ReadAsStringAsync()).RootElement;
        var callId = submit.Headers.GetValues("X-Proxy-Call-Id").Single();
        var taskId = submitted.GetProperty("taskId").GetString()!;
        var held = await GetAsync(operatorHttp, new Uri(billing, "/accounts/demo"));

        // 3. Poll: queued, running, succeeded; then the ledger answers.
        var statuses = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var poll = await http.GetAsync(new Uri(proxy, $"/api/proxy/demo/tasks/{taskId}"));
            statuses.Add(JsonDocument.Parse(await poll.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!);
            Assert.Equal(callId, poll.Headers.GetValues("X-Proxy-Call-Id").Single());
        }

        // 4. The account, 5. the call as an operator sees it.
        var account = await GetAsync(operatorHttp, new Uri(billing, "/accounts/demo"));
        using var callRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(proxy, $"/api/calls/{callId}"));
        callRequest.Headers.TryAddWithoutValidation("Authorization", "Bearer demo-operator-token");
        using var callResponse = await http.SendAsync(callRequest);
        var call = JsonDocument.Parse(await callResponse.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("queued", submitted.GetProperty("status").GetString());
        Assert.Equal(100, held.GetProperty("held").GetInt64());
        Assert.Equal(["queued", "running", "succeeded", "succeeded"], statuses);
        Assert.Equal((9958L, 0L, 42L), (account.GetProperty("balance").GetInt64(), account.GetProperty("held").GetInt64(), account.GetProperty("charged").GetInt64()));
        Assert.Equal("completed", call.GetProperty("status").GetString());
        Assert.Equal(42, call.GetProperty("settlement").GetProperty("charged").GetInt64());
        Assert.DoesNotContain("demo-provider-key", _appHost!.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("my-own-key", _appHost.Output, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, Uri uri)
    {
        using var response = await http.GetAsync(uri);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
