using Gateway.ProxyService.Infrastructure.Forwarding;
using Gateway.ProxyService.Services;
using Gateway.ProxyService.Services.Llm;
using Gateway.ServiceDefaults.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Infrastructure;

internal static class ProxyServiceExtensions
{
    /// <summary>
    /// The proxy options (section <c>Proxy</c>) and the providers (section <c>Providers</c>), both
    /// validated at start; the forwarder over one shared handler, logging its destinations redacted
    /// (the providers' credential parameters included); the call ledger, billing client, submit and
    /// query flows, and the settlement retrier.
    /// </summary>
    public static IHostApplicationBuilder AddProxyServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection(ProxyOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddOptions<ProvidersOptions>().Configure(o => configuration.GetSection(ProvidersOptions.SectionName).Bind(o.Items)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProvidersOptions>, ProvidersOptionsValidator>();
        services.AddSingleton(provider =>
            ProviderCatalog.TryCreate(provider.GetRequiredService<IOptions<ProvidersOptions>>().Value, key => configuration[key], Environment.GetEnvironmentVariable, out var catalog, out var problems)
                ? catalog
                : throw new OptionsValidationException(ProvidersOptions.SectionName, typeof(ProvidersOptions), problems));

        services.AddHttpForwarder();
        RedactingHttpForwarder.Decorate(services);

        // A provider's credential parameter is a secret in a logged URL whatever its name.
        services.AddOptions<QueryRedactionOptions>().Configure<IOptions<ProvidersOptions>>((redaction, providers) =>
        {
            foreach (var parameter in providers.Value.Items.Values.Select(p => p?.Credential?.QueryParameter).OfType<string>())
            {
                redaction.QueryParameters.Add(parameter);
            }
        });
        services.AddSingleton<UpstreamForwarder>();
        services.AddSingleton<ProxyTelemetry>();
        services.AddSingleton<CallStore>();
        services.AddSingleton<CallLedger>();
        BillingClient.Register(services);
        services.AddSingleton<SettlementSignal>();
        services.AddSingleton<CallSettler>();
        services.AddSingleton<TaskSubmitter>();
        services.AddSingleton<TaskPollFlights>();
        services.AddSingleton<TaskPoller>();
        services.AddSingleton<SettlementRetrier>();
        services.AddHostedService(provider => provider.GetRequiredService<SettlementRetrier>());
        builder.AddLlmServices();
        return builder;
    }
}
