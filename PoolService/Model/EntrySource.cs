using System.Text.Json.Serialization;

namespace Gateway.PoolService.Model;

/// <summary>
/// Where a registry entry was last written from. At start, configuration is written over the
/// entries it names (and removes the configuration entries it no longer names); entries created
/// through the admin API are left alone.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<EntrySource>))]
internal enum EntrySource
{
    [JsonStringEnumMemberName("configuration")]
    Configuration = 0,

    [JsonStringEnumMemberName("admin")]
    Admin = 1,
}
