namespace Gateway.LocalSidecar.Grpc;

internal static class DaprGrpcLimits
{
    /// <summary>daprd's default <c>--max-body-size</c> (4 MiB), which bounds gRPC messages both ways.</summary>
    public const int MaxMessageSize = 4 << 20;
}
