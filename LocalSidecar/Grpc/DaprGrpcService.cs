using System.Text.Json;
using Dapr.Client.Autogen.Grpc.v1;
using Gateway.LocalSidecar.Api;
using Gateway.LocalSidecar.Metadata;
using Gateway.LocalSidecar.State;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using StateItem = Gateway.LocalSidecar.State.StateItem;
using WireItem = Dapr.Client.Autogen.Grpc.v1.StateItem;

namespace Gateway.LocalSidecar.Grpc;

/// <summary>
/// The methods of <c>dapr.proto.runtime.v1.Dapr</c> this sidecar serves (DAPR-SDK.md section 3),
/// answering as daprd's gRPC API does; state goes through <see cref="StateRuntime"/>, shared with
/// the HTTP API. <see cref="DaprMethodProvider"/> binds them; every other method is unimplemented.
/// </summary>
internal sealed class DaprGrpcService(StateRuntime state, RuntimeMetadata metadata, IHostApplicationLifetime lifetime)
{
    private const string ContentTypeKey = "contentType";

    public async Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        var result = await state.GetAsync(request.StoreName, request.Key, context.CancellationToken).ConfigureAwait(false);
        return result switch
        {
            StateResult<StateItem?>.Ok { Value: { } item } => new GetStateResponse { Data = ByteString.CopyFrom(item.Value), Etag = item.ETag, Metadata = { ToMap(StateRuntime.ItemMetadata(item)) } },
            StateResult<StateItem?>.Ok => new GetStateResponse(),
            StateResult<StateItem?>.Failed { Failure: var failure } => throw GrpcErrors.From(failure),
            _ => throw new System.Diagnostics.UnreachableException(),
        };
    }

    public async Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        var result = await state.BulkGetAsync(request.StoreName, request.Keys, request.Parallelism, context.CancellationToken).ConfigureAwait(false);
        if (result is StateResult<IReadOnlyList<BulkStateEntry>>.Failed { Failure: var failure })
        {
            throw GrpcErrors.From(failure);
        }

        var response = new GetBulkStateResponse();
        foreach (var entry in ((StateResult<IReadOnlyList<BulkStateEntry>>.Ok)result).Value)
        {
            var item = new BulkStateItem { Key = entry.Key, Error = entry.Error ?? "" };
            if (entry.Item is { } found)
            {
                item.Data = ByteString.CopyFrom(found.Value);
                item.Etag = found.ETag;
                item.Metadata.Add(ToMap(StateRuntime.ItemMetadata(found)));
            }

            response.Items.Add(item);
        }

        return response;
    }

    public async Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        var items = new List<StateEntry>(request.States.Count);
        foreach (var item in request.States)
        {
            // daprd decodes a value marked as JSON and stores it as JSON; any other value is stored
            // as the bytes it is (binary in the SQL stores), and comes back as those bytes.
            var isJson = item.Metadata.TryGetValue(ContentTypeKey, out var contentType) && contentType == "application/json";
            items.Add(Entry(item, isJson ? EncodeJson(item.Value) : item.Value.ToByteArray(), isBinary: !isJson));
        }

        Throw(await state.SaveAsync(request.StoreName, items, context.CancellationToken).ConfigureAwait(false));
        return new Empty();
    }

    public async Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        var entry = new StateEntry(request.Key, [], ETagOf(request.Etag), request.Metadata, Concurrency(request.Options), Consistency(request.Options));
        Throw(await state.DeleteAsync(request.StoreName, entry, context.CancellationToken).ConfigureAwait(false));
        return new Empty();
    }

    public async Task<Empty> DeleteBulkState(DeleteBulkStateRequest request, ServerCallContext context)
    {
        var entries = request.States.Select(item => Entry(item, [], isBinary: false)).ToList();
        Throw(await state.DeleteBulkAsync(request.StoreName, entries, context.CancellationToken).ConfigureAwait(false));
        return new Empty();
    }

    public async Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        // daprd hands a transaction's values to the store as bytes, whatever their content type.
        var steps = request.Operations
            .Select(operation => new TransactionStep(operation.OperationType, Entry(operation.Request ?? new WireItem(), operation.Request?.Value.ToByteArray() ?? [], isBinary: true)))
            .ToList();
        Throw(await state.TransactAsync(request.StoreName, steps, context.CancellationToken).ConfigureAwait(false));
        return new Empty();
    }

    public Task<GetMetadataResponse> GetMetadata(GetMetadataRequest request, ServerCallContext context)
    {
        var snapshot = metadata.Snapshot();
        var response = new GetMetadataResponse
        {
            Id = snapshot.Id,
            RuntimeVersion = snapshot.RuntimeVersion,
            ExtendedMetadata = { ToMap(snapshot.Extended) },
            RegisteredComponents =
            {
                snapshot.Components.Select(c => new RegisteredComponents { Name = c.Name, Type = c.Type, Version = c.Version, Capabilities = { c.Capabilities } }),
            },
            ActorRuntime = new ActorRuntime
            {
                RuntimeStatus = snapshot.ActorRuntime.Status switch
                {
                    "RUNNING" => ActorRuntime.Types.ActorRuntimeStatus.Running,
                    "DISABLED" => ActorRuntime.Types.ActorRuntimeStatus.Disabled,
                    _ => ActorRuntime.Types.ActorRuntimeStatus.Initializing,
                },
                HostReady = snapshot.ActorRuntime.HostReady,
                Placement = snapshot.ActorRuntime.Placement,
                ActiveActors = { snapshot.ActorRuntime.ActiveActors.Select(a => new ActiveActorsCount { Type = a.Type, Count = a.Count }) },
            },
        };

        // daprd still fills the deprecated list beside the actor runtime's.
#pragma warning disable CS0612
        response.ActiveActorsCount.Add(response.ActorRuntime.ActiveActors);
#pragma warning restore CS0612
        if (snapshot.AppConnection is { } app)
        {
            response.AppConnectionProperties = new AppConnectionProperties { Port = app.Port, Protocol = app.Protocol, ChannelAddress = app.ChannelAddress };
        }

        return Task.FromResult(response);
    }

    public Task<Empty> SetMetadata(SetMetadataRequest request, ServerCallContext context)
    {
        metadata.SetAttribute(request.Key, request.Value);
        return Task.FromResult(new Empty());
    }

    public Task<Empty> Shutdown(ShutdownRequest request, ServerCallContext context)
    {
        // The host stops gracefully: this call is answered before the server closes.
        lifetime.StopApplication();
        return Task.FromResult(new Empty());
    }

    private static StateEntry Entry(WireItem item, byte[] value, bool isBinary) =>
        new(item.Key, value, ETagOf(item.Etag), item.Metadata, Concurrency(item.Options), Consistency(item.Options), isBinary);

    // As components-contrib's HasETag: an empty ETag is no ETag.
    private static string? ETagOf(Etag? etag) => string.IsNullOrEmpty(etag?.Value) ? null : etag.Value;

    private static string Concurrency(StateOptions? options) => options?.Concurrency switch
    {
        StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite => "first-write",
        StateOptions.Types.StateConcurrency.ConcurrencyLastWrite => "last-write",
        _ => "",
    };

    private static string Consistency(StateOptions? options) => options?.Consistency switch
    {
        StateOptions.Types.StateConsistency.ConsistencyEventual => "eventual",
        StateOptions.Types.StateConsistency.ConsistencyStrong => "strong",
        _ => "",
    };

    private static byte[] EncodeJson(ByteString value)
    {
        try
        {
            using var document = JsonDocument.Parse(value.Memory, StateRequests.DocumentOptions);
            return GoJson.Encode(document.RootElement);
        }
        catch (JsonException e)
        {
            throw GrpcErrors.InvalidArgument("ERR_MALFORMED_REQUEST", $"the value is marked as JSON but is not: {e.Message}");
        }
    }

    private static Dictionary<string, string> ToMap(IReadOnlyDictionary<string, string> values) => new(values, StringComparer.Ordinal);

    private static void Throw(StateFailure? failure)
    {
        if (failure is not null)
        {
            throw GrpcErrors.From(failure);
        }
    }
}
