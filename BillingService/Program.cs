using Gateway.BillingService.Apis;
using Gateway.BillingService.Infrastructure;
using Gateway.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddBillingServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapReservationsApi();
app.MapAccountsApi();
app.Run();
