using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Gateway.PoolService.Model;

/// <summary>The wire name of an enum value (its <see cref="JsonStringEnumMemberNameAttribute"/>), for metric tags and messages that must match the JSON.</summary>
internal static class Names
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => Cache<TEnum>.Names.TryGetValue(value, out var name) ? name : value.ToString();

    /// <summary>Every wire name of <typeparamref name="TEnum"/>, in declaration order.</summary>
    public static IReadOnlyList<string> All<TEnum>()
        where TEnum : struct, Enum => Cache<TEnum>.Ordered;

    private static class Cache<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly FrozenDictionary<TEnum, string> Names = typeof(TEnum)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToFrozenDictionary(f => (TEnum)f.GetValue(null)!, f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);

        public static readonly IReadOnlyList<string> Ordered = [.. Enum.GetValues<TEnum>().Select(v => Names[v])];
    }
}
