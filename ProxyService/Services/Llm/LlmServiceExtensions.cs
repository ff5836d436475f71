using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services.Llm;

internal static class LlmServiceExtensions
{
    /// <summary>
    /// The <c>/v1</c> routes' options (section <c>Llm</c>, validated at start), the PoolService
    /// client, the outcome reporter, the router, and the writer of their framework errors in OpenAI's shape.
    /// </summary>
    public static IHostApplicationBuilder AddLlmServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<LlmOptions>().Bind(builder.Configuration.GetSection(LlmOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        PoolClient.Register(services);
        services.AddSingleton<OutcomeReporter>();
        services.AddHostedService(provider => provider.GetRequiredService<OutcomeReporter>());
        services.AddSingleton<LlmRouter>();
        services.AddSingleton<LlmRequestReader>();

        // The problem details service asks its writers in order and the first that can, writes;
        // AddServiceDefaults has registered the default writer already, which would claim /v1 too.
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, OpenAiProblemWriter>());
        return builder;
    }
}
