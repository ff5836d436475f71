using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Gateway.LocalSidecar.Grpc;

/// <summary>
/// Binds <see cref="DaprGrpcService"/> to <c>dapr.proto.runtime.v1.Dapr</c> without generated server
/// code: the package Dapr.Protos ships the messages and the service's descriptor but no server base,
/// so each served method is taken from the descriptor (its name and message types checked against
/// the handler's) and registered with marshallers over the messages' parsers. Methods not bound here
/// are answered <c>Unimplemented</c> by Grpc.AspNetCore, as a service without them would be.
/// </summary>
internal sealed class DaprMethodProvider : IServiceMethodProvider<DaprGrpcService>
{
    /// <summary>The service as Dapr.Protos describes it.</summary>
    public static Google.Protobuf.Reflection.ServiceDescriptor Service { get; } =
        DaprReflection.Descriptor.Services.Single(s => s.FullName == "dapr.proto.runtime.v1.Dapr");

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<DaprGrpcService> context)
    {
        Add<GetStateRequest, GetStateResponse>(context, "GetState", static (s, r, c) => s.GetState(r, c));
        Add<GetBulkStateRequest, GetBulkStateResponse>(context, "GetBulkState", static (s, r, c) => s.GetBulkState(r, c));
        Add<SaveStateRequest, Google.Protobuf.WellKnownTypes.Empty>(context, "SaveState", static (s, r, c) => s.SaveState(r, c));
        Add<DeleteStateRequest, Google.Protobuf.WellKnownTypes.Empty>(context, "DeleteState", static (s, r, c) => s.DeleteState(r, c));
        Add<DeleteBulkStateRequest, Google.Protobuf.WellKnownTypes.Empty>(context, "DeleteBulkState", static (s, r, c) => s.DeleteBulkState(r, c));
        Add<ExecuteStateTransactionRequest, Google.Protobuf.WellKnownTypes.Empty>(context, "ExecuteStateTransaction", static (s, r, c) => s.ExecuteStateTransaction(r, c));
        Add<GetMetadataRequest, GetMetadataResponse>(context, "GetMetadata", static (s, r, c) => s.GetMetadata(r, c));
        Add<SetMetadataRequest, Google.Protobuf.WellKnownTypes.Empty>(context, "SetMetadata", static (s, r, c) => s.SetMetadata(r, c));
        Add<ShutdownRequest, Google.Protobuf.WellKnownTypes.Empty>(context, "Shutdown", static (s, r, c) => s.Shutdown(r, c));
    }

    /// <summary>The unary method <paramref name="name"/> of the service, its types checked against the descriptor.</summary>
    public static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        var descriptor = Service.FindMethodByName(name) ?? throw new InvalidOperationException($"{Service.FullName} has no method {name}");
        if (descriptor.IsClientStreaming || descriptor.IsServerStreaming
            || descriptor.InputType.ClrType != typeof(TRequest) || descriptor.OutputType.ClrType != typeof(TResponse))
        {
            throw new InvalidOperationException($"{Service.FullName}/{name} is not unary {typeof(TRequest).Name} -> {typeof(TResponse).Name}");
        }

        return new Method<TRequest, TResponse>(MethodType.Unary, Service.FullName, descriptor.Name, Marshaller<TRequest>(), Marshaller<TResponse>());
    }

    private static void Add<TRequest, TResponse>(ServiceMethodProviderContext<DaprGrpcService> context, string name, UnaryServerMethod<DaprGrpcService, TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        context.AddUnaryMethod(Unary<TRequest, TResponse>(name), [], handler);

    private static Marshaller<T> Marshaller<T>()
        where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(static () => new T());
        return Marshallers.Create(static message => message.ToByteArray(), parser.ParseFrom);
    }
}
