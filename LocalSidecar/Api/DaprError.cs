using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Api;

/// <summary>
/// An error answer of the Dapr HTTP API: <c>{"errorCode","message"}</c>, plus <c>details</c> for the
/// errors daprd builds with dapr/kit's standardized errors (ErrorInfo, ResourceInfo, BadRequest).
/// </summary>
internal sealed record DaprError(int StatusCode, string ErrorCode, string Message, JsonArray? Details = null)
{
    /// <summary>Go's encoder leaves quotes and non-ASCII text unescaped; so does this.</summary>
    public static readonly JsonSerializerOptions GoJsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string GoogleTypePrefix = "type.googleapis.com/google.rpc.";

    public Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json";
        var body = System.Text.Encoding.UTF8.GetBytes(ToJson());

        // Go's server sends a Content-Length for a small body written at once; so does this.
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public string ToJson()
    {
        var body = new JsonObject { ["errorCode"] = ErrorCode, ["message"] = Message };
        if (Details is not null)
        {
            body["details"] = Details.DeepClone();
        }

        return body.ToJsonString(GoJsonOptions);
    }

    public static JsonObject ErrorInfo(string reason, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new JsonObject();
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            meta[key] = value;
        }

        return new JsonObject
        {
            ["@type"] = GoogleTypePrefix + "ErrorInfo",
            ["reason"] = reason,
            ["domain"] = "dapr.io",
            ["metadata"] = metadata is null ? null : meta,
        };
    }

    public static JsonObject ResourceInfo(string type, string name) => new()
    {
        ["@type"] = GoogleTypePrefix + "ResourceInfo",
        ["resource_type"] = type,
        ["resource_name"] = name,
        ["owner"] = "",
        ["description"] = "",
    };

    public static JsonObject BadRequest(string field, string description) => new()
    {
        ["@type"] = GoogleTypePrefix + "BadRequest",
        ["field_violations"] = new JsonArray(new JsonObject { ["field"] = field, ["description"] = description }),
    };

    public static DaprError StoreNotFound(string store, string appId) => new(
        StatusCodes.Status400BadRequest,
        "ERR_STATE_STORE_NOT_FOUND",
        $"state store {store} is not found",
        [ErrorInfo("DAPR_STATE_NOT_FOUND", new Dictionary<string, string> { ["appID"] = appId })]);

    public static DaprError StoreNotConfigured(string store, string appId) => new(
        StatusCodes.Status500InternalServerError,
        "ERR_STATE_STORE_NOT_CONFIGURED",
        $"state store {store} is not configured",
        [ErrorInfo("DAPR_STATE_NOT_CONFIGURED", new Dictionary<string, string> { ["appID"] = appId })]);

    public static DaprError IllegalKey(string store, string key)
    {
        var message = new StateFailure.IllegalKey(store, key).Message;
        return new DaprError(
            StatusCodes.Status400BadRequest,
            "ERR_MALFORMED_REQUEST",
            message,
            [BadRequest(key, message), ResourceInfo("state", store), ErrorInfo("DAPR_STATE_ILLEGAL_KEY")]);
    }

    public static DaprError TransactionsNotSupported(string store) => new(
        StatusCodes.Status500InternalServerError,
        "ERR_STATE_STORE_NOT_SUPPORTED",
        $"state store {store} doesn't support transactions",
        [ResourceInfo("state", store), ErrorInfo("DAPR_STATE_TRANSACTIONS_NOT_SUPPORTED")]);

    /// <summary>How daprd's HTTP API answers a refused or failed state request.</summary>
    public static DaprError From(StateFailure failure, string appId) => failure switch
    {
        StateFailure.StoreNotConfigured f => StoreNotConfigured(f.Store, appId),
        StateFailure.StoreNotFound f => StoreNotFound(f.Store, appId),
        StateFailure.IllegalKey f => IllegalKey(f.Store, f.Key),
        StateFailure.MissingKey => new(StatusCodes.Status400BadRequest, "ERR_MALFORMED_REQUEST", "\"key\" is a required field"),
        StateFailure.UnsupportedOperation f => new(StatusCodes.Status400BadRequest, "ERR_NOT_SUPPORTED_STATE_OPERATION", f.Message),
        StateFailure.StoreFailed f => new(
            f.Kind switch
            {
                StoreFailureKind.ETagMismatch => StatusCodes.Status409Conflict,
                StoreFailureKind.ETagInvalid => StatusCodes.Status400BadRequest,
                StoreFailureKind.Failed => StatusCodes.Status500InternalServerError,
                _ => throw new UnreachableException(),
            },
            f.ErrorCode,
            f.Message),
        _ => throw new UnreachableException(),
    };

    /// <summary>daprd's answer to a body it could not decode.</summary>
    public static DaprError MalformedRequest(Exception error) =>
        new(StatusCodes.Status400BadRequest, "ERR_MALFORMED_REQUEST", $"failed deserializing HTTP body: {DescribeJsonError(error)}");

    public static string DescribeJsonError(Exception error) => error switch
    {
        JsonException json => json.Message,
        _ => error.Message,
    };
}
