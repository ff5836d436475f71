using Gateway.FakeOpenAiBackend.Services;
using Gateway.Hosting;

namespace Gateway.FakeOpenAiBackend.Infrastructure;

internal static class FakeOpenAiBackendExtensions
{
    public static IHostApplicationBuilder AddFakeOpenAiBackend(this IHostApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddCommandLine(args, FakeOpenAiBackendOptions.Switches());

        // Set in code because the fake is started from any working directory (its content root), where
        // no appsettings.json is found; a line per request would drown the demo's logs and slow the benchmark.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddOptions<FakeOpenAiBackendOptions>()
            .Bind(builder.Configuration.GetSection(FakeOpenAiBackendOptions.SectionName))
            .Validate(o => o.IsValid(), "FakeOpenAiBackend: Models must name at least one model, ChunkDelayMs and RetryAfterSeconds must be 0 or more, EmbeddingDimensions 1 to 65536, JournalCapacity positive")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<InstanceBehavior>();
        builder.Services.AddSingleton<RequestJournal>();
        builder.Services.AddSingleton<FakeResponder>();
        builder.Services.AddHostedService<ParentProcessWatch>();
        return builder;
    }
}
