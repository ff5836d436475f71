using Gateway.BillingService.Services;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Infrastructure;

internal static class BillingServiceExtensions
{
    /// <summary>
    /// The billing options (section <c>Billing</c>, validated at start), the business clock, the
    /// ledger services and the expiry sweeper.
    /// </summary>
    public static IHostApplicationBuilder AddBillingServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<BillingOptions>().Bind(builder.Configuration.GetSection(BillingOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BillingOptions>, BillingOptionsValidator>();
        services.TryAddKeyedSingleton(BillingClock.Key, TimeProvider.System);
        services.AddSingleton<BillingTelemetry>();
        services.AddSingleton<LedgerStore>();
        services.AddSingleton<LedgerLanes>();
        services.AddSingleton<ReservationService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<ExpirySweeper>();
        services.AddHostedService(provider => provider.GetRequiredService<ExpirySweeper>());
        return builder;
    }
}
