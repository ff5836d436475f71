using Gateway.ProxyService.Apis;
using Gateway.ProxyService.Infrastructure;
using Gateway.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddProxyServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTaskProxyApi();
app.MapCallsApi();
app.MapOpenAiApi();
app.Run();
