using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Testing;
using OpenAI;

namespace Gateway.FakeOpenAiBackend.Tests.Support;

/// <summary>
/// The fake started as its own process on a free port, exactly as the AppHost starts it. One per
/// test class, so that a class that changes the instance behaviour disturbs no other.
/// </summary>
public class FakeBackendFixture : IAsyncLifetime
{
    private TestProcess? _process;

    public Uri BaseUri { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    /// <summary>The key clients present; any key is accepted unless <see cref="Arguments"/> configure one.</summary>
    public virtual string ClientKey => "sk-any";

    public string Output => _process?.Output ?? "";

    protected virtual IEnumerable<string> Arguments => [];

    public async Task InitializeAsync()
    {
        BaseUri = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        _process = TestProcess.StartDotnet(Launchables.FakeOpenAiBackend, ["--urls", BaseUri.GetLeftPart(UriPartial.Authority), .. Arguments]);
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var alive = await Http.GetAsync(new Uri("/alive", UriKind.Relative));
                if (alive.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }

            if (DateTime.UtcNow >= deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"The fake backend did not come up:\n{_process.Output}");
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    /// <summary>
    /// An official OpenAI client pointed at the fake. Retries are off unless asked for: the SDK's default
    /// policy retries 408/429/5xx and transport errors three times, which would hide every injected fault.
    /// </summary>
    public OpenAIClient Client(string run, int maxRetries = 0, TimeSpan? networkTimeout = null, string? apiKey = null, string? behavior = null)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(BaseUri, "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries),
        };
        if (networkTimeout is { } timeout)
        {
            options.NetworkTimeout = timeout;
        }

        options.AddPolicy(new HeaderPolicy("X-Fake-Run", run), PipelinePosition.PerCall);
        if (behavior is not null)
        {
            options.AddPolicy(new HeaderPolicy("x-fake-behavior", behavior), PipelinePosition.PerCall);
        }

        return new OpenAIClient(new ApiKeyCredential(apiKey ?? ClientKey), options);
    }

    /// <summary>What the fake journalled for one run (<c>GET /_fake/requests?run=</c>), oldest first.</summary>
    public async Task<JsonElement[]> RequestsAsync(string run) =>
        await Http.GetFromJsonAsync<JsonElement[]>(new Uri($"/_fake/requests?run={Uri.EscapeDataString(run)}", UriKind.Relative)) ?? [];

    /// <summary>A raw POST of <paramref name="json"/>, as bytes on the wire, with the run and any extra headers.</summary>
    public HttpRequestMessage Post(string path, string json, string run, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Authorization", "Bearer " + ClientKey);
        request.Headers.Add("X-Fake-Run", run);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    public static string NewRun() => "run-" + Guid.NewGuid().ToString("N")[..12];
}

/// <summary>The fake with a required API key.</summary>
public sealed class KeyedFakeBackendFixture : FakeBackendFixture
{
    public const string Key = "sk-fake-backend-key";

    public override string ClientKey => Key;

    protected override IEnumerable<string> Arguments => ["--api-key", Key];
}
