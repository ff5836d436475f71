using System.ClientModel;
using Gateway.FakeOpenAiBackend.Tests.Support;
using OpenAI.Models;

namespace Gateway.FakeOpenAiBackend.Tests.Sdk;

/// <summary>The official OpenAI .NET SDK's OpenAIModelClient against the fake.</summary>
public sealed class ModelSdkTests(FakeBackendFixture fake) : IClassFixture<FakeBackendFixture>
{
    [Fact]
    public async Task GetModels_ListsTheDefaultModels()
    {
        var client = fake.Client(FakeBackendFixture.NewRun()).GetOpenAIModelClient();

        OpenAIModelCollection models = await client.GetModelsAsync();

        Assert.Equal(["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"], models.Select(m => m.Id));
        Assert.All(models, m => Assert.Equal("fake-openai-backend", m.OwnedBy));
        Assert.All(models, m => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), m.CreatedAt));
    }

    [Fact]
    public async Task GetModel_ServedModel_ReturnsIt()
    {
        var client = fake.Client(FakeBackendFixture.NewRun()).GetOpenAIModelClient();

        OpenAIModel model = await client.GetModelAsync("gpt-4o");

        Assert.Equal("gpt-4o", model.Id);
    }

    [Fact]
    public async Task GetModel_UnknownModel_ThrowsWith404()
    {
        var client = fake.Client(FakeBackendFixture.NewRun()).GetOpenAIModelClient();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GetModelAsync("gpt-nope"));

        Assert.Equal(404, error.Status);
    }
}
