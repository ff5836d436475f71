using Gateway.FakeTaskProvider.Services;
using Gateway.Hosting;

namespace Gateway.FakeTaskProvider.Infrastructure;

internal static class FakeProviderExtensions
{
    public static IHostApplicationBuilder AddFakeProvider(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FakeProviderOptions>()
            .Bind(builder.Configuration.GetSection(FakeProviderOptions.SectionName))
            .Validate(o => o.DefaultSteps >= 0 && o.DefaultUsage >= 0 && o.JournalCapacity > 0, "FakeTaskProvider: DefaultSteps and DefaultUsage must be 0 or more, JournalCapacity positive")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TaskBook>();
        builder.Services.AddSingleton<RequestJournal>();
        builder.Services.AddHostedService<ParentProcessWatch>();
        return builder;
    }
}
