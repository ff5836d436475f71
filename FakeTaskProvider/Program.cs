using Gateway.FakeTaskProvider.Apis;
using Gateway.FakeTaskProvider.Infrastructure;

// A stand-in for a paid asynchronous task API (submit a job, poll it until it ends), for the demo
// and the tests. Not part of the gateway: it plays the third party.
var builder = WebApplication.CreateBuilder(args);
builder.AddFakeProvider();

var app = builder.Build();
app.UseRequestJournal();
app.MapControlApi();
app.MapTasksApi();
app.Run();
