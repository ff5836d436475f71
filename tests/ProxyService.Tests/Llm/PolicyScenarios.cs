using System.ClientModel;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.ProxyService.Tests.Support;
using OpenAI.Chat;

namespace Gateway.ProxyService.Tests.Llm;

/// <summary>
/// PoolService's policy as callers of the gateway live it: a 429 puts the backend in a cooldown that
/// PoolService shows and every later request respects, as long as the backend's Retry-After says;
/// with every backend cooling down, only the emergency trickle reaches one, and a trickle request
/// that succeeds ends the cooldown. Its own stack: these
/// tests leave backends cooling down.
/// </summary>
public sealed class PolicyScenarios(PolicyScenarios.Fixture fixture) : IClassFixture<PolicyScenarios.Fixture>
{
    private LlmStack Stack => fixture.Stack;

    private static string Marker() => "m-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task A429_CoolsTheBackendDownForItsRetryAfter_ThenItServesAgain()
    {
        // The primary fake's next answer is a 429 with Retry-After 3 s (the configured base cooldown is 1 s).
        await SetBehaviorAsync(Stack.Primary, "429:3", times: 1);
        var chat = Stack.OpenAi().GetChatClient("cooled");

        var first = Marker();
        ChatCompletion answer = await chat.CompleteChatAsync(new UserChatMessage(first));
        Assert.Equal("You said: " + first, answer.Content[0].Text);
        Assert.Equal(["fallback", "primary"], (await Stack.RequestsMentioningAsync(first)).Select(s => s.Backend).Order(StringComparer.Ordinal));

        // PoolService shows the cooldown, as long as the backend's Retry-After and not the 1 s base.
        var status = await Stack.BackendStatusAsync("cool-primary");
        Assert.Equal("cooldown", status.GetProperty("state").GetString());
        Assert.Equal(1, status.GetProperty("consecutiveRateLimits").GetInt32());
        var until = status.GetProperty("cooldownUntil").GetDateTimeOffset();
        var length = until - status.GetProperty("at").GetDateTimeOffset();
        Assert.InRange(length, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3.5));

        // While it lasts, requests go straight to the fallback.
        var during = Marker();
        await chat.CompleteChatAsync(new UserChatMessage(during));
        if (DateTimeOffset.UtcNow < until)
        {
            Assert.Equal(["fallback"], (await Stack.RequestsMentioningAsync(during)).Select(s => s.Backend));
        }

        // Once it is over, the primary pool serves again.
        await ProxyCalls.EventuallyAsync(
            async () => (await Stack.BackendStatusAsync("cool-primary")).GetProperty("state").GetString() == "available",
            TimeSpan.FromSeconds(10),
            "cool-primary available again");
        Assert.True(DateTimeOffset.UtcNow >= until.AddMilliseconds(-100), "available before its Retry-After ran out");
        var after = Marker();
        await chat.CompleteChatAsync(new UserChatMessage(after));
        Assert.Equal(["primary"], (await Stack.RequestsMentioningAsync(after)).Select(s => s.Backend));
    }

    [Fact]
    public async Task EveryBackendCoolingDown_OnlyTheEmergencyTrickleReachesIt()
    {
        // trickle-only (rpm 20, emergency fraction 0.1: 2 a minute) is the only backend of "trickle",
        // and it keeps answering 429 (Retry-After 60 s) to its next three requests.
        await SetBehaviorAsync(Stack.Primary, "429:60", times: 3);
        var chat = Stack.OpenAi().GetChatClient("trickle");
        var markers = new[] { Marker(), Marker(), Marker(), Marker() };

        foreach (var marker in markers)
        {
            var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage(marker)));
            Assert.Equal(503, error.Status);
            Assert.True(error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
            Assert.True(long.Parse(retryAfter!, CultureInfo.InvariantCulture) > 0, $"Retry-After {retryAfter}");
        }

        // The first found it rate-limited; the next two were the trickle, let through although it was
        // cooling down; the fourth found the trickle used up and never reached it.
        for (var i = 0; i < 3; i++)
        {
            var (backend, entry) = Assert.Single(await Stack.RequestsMentioningAsync(markers[i]));
            Assert.Equal("primary", backend);
            Assert.Equal(429, entry.GetProperty("status").GetInt32());
        }

        Assert.Empty(await Stack.RequestsMentioningAsync(markers[3]));
        var status = await Stack.BackendStatusAsync("trickle-only");
        Assert.Equal("cooldown", status.GetProperty("state").GetString());
        Assert.Equal(3, status.GetProperty("consecutiveRateLimits").GetInt32());
        Assert.Equal(2, status.GetProperty("emergencyAllowance").GetInt32());
        Assert.Equal(2, status.GetProperty("emergencyGrantsInWindow").GetInt32());
    }

    [Fact]
    public async Task TrickleRequestSucceeds_TheCooldownEndsAtOnce()
    {
        // "recovering" (rpm 20, only backend of its model) answers one 429 with Retry-After 60 s, then recovers.
        await SetBehaviorAsync(Stack.Primary, "429:60", times: 1);
        var chat = Stack.OpenAi().GetChatClient("recovering");
        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage(Marker())));
        Assert.Equal(503, error.Status);
        Assert.Equal("cooldown", (await Stack.BackendStatusAsync("recovering")).GetProperty("state").GetString());

        // The trickle's request is served: the backend is back, long before its Retry-After.
        var probe = Marker();
        ChatCompletion answer = await chat.CompleteChatAsync(new UserChatMessage(probe));
        Assert.Equal("You said: " + probe, answer.Content[0].Text);
        await ProxyCalls.EventuallyAsync(
            async () => (await Stack.BackendStatusAsync("recovering")).GetProperty("state").GetString() == "available",
            TimeSpan.FromSeconds(10),
            "recovering available after the trickle's success");

        // Later requests are ordinary grants again, not the trickle.
        for (var i = 0; i < 3; i++)
        {
            await chat.CompleteChatAsync(new UserChatMessage(Marker()));
        }

        Assert.Equal(1, (await Stack.BackendStatusAsync("recovering")).GetProperty("emergencyGrantsInWindow").GetInt32());
    }

    [Fact]
    public async Task BackendWithoutKey_GetsNoAuthorizationHeader()
    {
        // The primary fake wants its key, so it refuses (401, passed back as it is); its journal shows what arrived.
        var marker = Marker();
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Stack.OpenAi("client-secret-key").GetChatClient("keyless").CompleteChatAsync(new UserChatMessage(marker)));

        Assert.Equal(401, error.Status);
        var (_, entry) = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("authorization").ValueKind);
        Assert.False(entry.GetProperty("headers").TryGetProperty("authorization", out _));
        Assert.DoesNotContain("client-secret-key", entry.GetRawText(), StringComparison.Ordinal);
    }

    private static async Task SetBehaviorAsync(HttpClient fake, string behavior, int times)
    {
        using var response = await fake.PostAsJsonAsync(new Uri("/_fake/behavior", UriKind.Relative), new { behavior, times });
        response.EnsureSuccessStatusCode();
    }

    public sealed class Fixture : LlmStackFixture
    {
        private protected override Task<LlmStack> StartStackAsync() => LlmStack.StartAsync(
            stack => new
            {
                Pools = new[] { new { Name = "primary" }, new { Name = "fallback" } },
                Backends = new[]
                {
                    LlmStack.Backend("cool-primary", "primary", stack.PrimaryPort, LlmStack.PrimaryKey, 10, new() { ["cooled"] = "gpt-4o-mini" }),
                    LlmStack.Backend("cool-fallback", "fallback", stack.FallbackPort, LlmStack.FallbackKey, 10, new() { ["cooled"] = "gpt-4o-mini" }),
                    LlmStack.Backend("trickle-only", "primary", stack.PrimaryPort, LlmStack.PrimaryKey, 10, new() { ["trickle"] = "gpt-4o-mini" }, rpm: 20),
                    LlmStack.Backend("recovering", "primary", stack.PrimaryPort, LlmStack.PrimaryKey, 10, new() { ["recovering"] = "gpt-4o-mini" }, rpm: 20),
                    LlmStack.Backend("keyless", "primary", stack.PrimaryPort, null, 10, new() { ["keyless"] = "gpt-4o-mini" }),
                },
            },
            new Dictionary<string, string?> { ["Pool__Policy__CooldownBase"] = "00:00:01", ["Pool__Policy__EmergencyFraction"] = "0.1" });
    }
}
