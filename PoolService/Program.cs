using Gateway.PoolService.Apis;
using Gateway.PoolService.Infrastructure;
using Gateway.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPoolServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapActorsHandlers();
app.MapLeasesApi();
app.MapModelsApi();
app.MapBackendsApi();
app.MapUsageApi();
app.MapAdminApi();
app.Run();
