using System.Text.Json;

namespace Gateway.FakeOpenAiBackend.Infrastructure;

/// <summary>Set on every <c>/v1</c> request by the journal: its journal entry and its body, read once.</summary>
internal sealed record ReceivedRequestFeature(long Sequence, JsonElement? Body);
