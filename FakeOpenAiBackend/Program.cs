using Gateway.FakeOpenAiBackend.Apis;
using Gateway.FakeOpenAiBackend.Infrastructure;

// A stand-in for an OpenAI-compatible LLM backend, for the demo, the tests and the benchmark.
// Not part of the gateway: it plays the paid third party, and can be told to misbehave like one.
var builder = WebApplication.CreateBuilder(args);
builder.AddFakeOpenAiBackend(args);

var app = builder.Build();
app.UseRequestJournal();
app.MapControlApi();
app.MapOpenAiApi();
app.Run();
