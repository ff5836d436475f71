using System.Globalization;
using Gateway.BillingService.Infrastructure;
using Gateway.BillingService.Services;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.BillingService.Tests.Support;

/// <summary>
/// One BillingService replica, in process (so a test can hand it a manual business clock and call
/// its sweeper), talking to its own real LocalSidecar process. Its operator token is
/// <see cref="OperatorToken"/> unless the settings say otherwise, and <see cref="Api"/> sends it.
/// </summary>
internal sealed class BillingReplica(int sidecarHttpPort, TimeProvider? clock, IReadOnlyDictionary<string, string?> settings, int? sidecarGrpcPort = null)
    : WebApplicationFactory<Program>
{
    /// <summary>The <c>Billing:OperatorToken</c> every replica gets by default.</summary>
    public const string OperatorToken = "billing-operator-token-for-tests";

    private HttpClient? _client;

    /// <summary>The API as an operator calls it, with <c>Authorization: Bearer {OperatorToken}</c>.</summary>
    public BillingApi Api => new(_client ??= CreateClient(), "Bearer " + OperatorToken);

    public ExpirySweeper Sweeper => Services.GetRequiredService<ExpirySweeper>();

    public LedgerStore Store => Services.GetRequiredService<LedgerStore>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("DAPR_HTTP_PORT", sidecarHttpPort.ToString(CultureInfo.InvariantCulture));
        if (sidecarGrpcPort is { } grpcPort)
        {
            builder.UseSetting("DAPR_GRPC_PORT", grpcPort.ToString(CultureInfo.InvariantCulture));
        }

        builder.UseSetting("APP_ID", "billing");
        builder.UseSetting("Billing:OperatorToken", OperatorToken);
        foreach (var (name, value) in settings)
        {
            builder.UseSetting(name, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureTestServices(services =>
        {
            if (clock is not null)
            {
                services.AddKeyedSingleton(BillingClock.Key, clock);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _client?.Dispose();
        }

        base.Dispose(disposing);
    }
}
