using Gateway.BillingService.Infrastructure;
using Gateway.ServiceDefaults.Http;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Apis;

/// <summary>
/// The guard of the operator endpoints: <c>Authorization: Bearer {Billing:OperatorToken}</c>, else
/// 401 <see cref="BillingProblems.OperatorUnauthorizedType"/> with <c>WWW-Authenticate: Bearer</c>;
/// 404 for every request while no token is configured (<see cref="BearerTokenFilter"/>).
/// </summary>
internal static class OperatorAccess
{
    public static TBuilder RequireOperatorToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireBearerToken(
            services => services.GetRequiredService<IOptions<BillingOptions>>().Value.OperatorToken,
            BillingProblems.OperatorUnauthorized);
}
