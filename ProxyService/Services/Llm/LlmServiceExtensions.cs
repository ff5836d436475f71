using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services.Llm;

internal static class LlmServiceExtensions
{
    /// <summary>The <c>/v1</c> routes' options (section <c>Llm</c>, validated at start), the PoolService client, the outcome reporter and the router.</summary>
    public static IHostApplicationBuilder AddLlmServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<LlmOptions>().Bind(builder.Configuration.GetSection(LlmOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PoolClient>();
        services.AddSingleton<OutcomeReporter>();
        services.AddHostedService(provider => provider.GetRequiredService<OutcomeReporter>());
        services.AddSingleton<LlmRouter>();
        return builder;
    }
}
