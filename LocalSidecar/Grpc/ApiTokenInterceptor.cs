using System.Security.Cryptography;
using System.Text;
using Gateway.LocalSidecar.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Gateway.LocalSidecar.Grpc;

/// <summary>
/// With <c>DAPR_API_TOKEN</c> set, every gRPC call must carry it in the <c>dapr-api-token</c>
/// metadata, as daprd's interceptor demands (no call is exempt on gRPC).
/// </summary>
internal sealed class ApiTokenInterceptor(SidecarOptions options) : Interceptor
{
    private const string Header = "dapr-api-token";

    private readonly byte[]? _token = options.ApiToken is null ? null : Encoding.UTF8.GetBytes(options.ApiToken);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (_token is not null)
        {
            var presented = context.RequestHeaders.Get(Header)?.Value;
            if (presented is null)
            {
                throw GrpcErrors.Unauthenticated("missing api token in request metadata");
            }

            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token))
            {
                throw GrpcErrors.Unauthenticated("authentication error: api token mismatch");
            }
        }

        return continuation(request, context);
    }
}
