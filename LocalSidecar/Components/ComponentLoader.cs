using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gateway.LocalSidecar.Components;

/// <summary>
/// Reads the Dapr resources folder the way daprd's disk loader does: every <c>.yaml</c>/<c>.yml</c>
/// file directly in the folder (not in sub-folders), several documents per file allowed,
/// documents of other kinds (Configuration, Resiliency, Subscription...) skipped.
/// Unlike daprd, which logs and skips a file it cannot parse, a broken file stops start-up:
/// a stand-in that silently runs without its state store only hides the mistake.
/// </summary>
internal static class ComponentLoader
{
    public static IReadOnlyList<ComponentDefinition> Load(string resourcesPath, Func<string, string?> environment)
    {
        if (!Directory.Exists(resourcesPath))
        {
            throw new ComponentLoadException($"resources path '{Path.GetFullPath(resourcesPath)}' does not exist");
        }

        var files = Directory.EnumerateFiles(resourcesPath)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        var components = new List<ComponentDefinition>();
        foreach (var file in files)
        {
            components.AddRange(LoadFile(file, environment));
        }

        var duplicate = components.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ComponentLoadException(
                $"component '{duplicate.Key}' is defined more than once: {string.Join(", ", duplicate.Select(c => c.FilePath))}");
        }

        return components;
    }

    private static List<ComponentDefinition> LoadFile(string file, Func<string, string?> environment)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ComponentLoadException($"{file}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this, rather than a YamlException, on some truncated input.
            throw new ComponentLoadException($"{file}: invalid YAML: {e.Message}", e);
        }

        var result = new List<ComponentDefinition>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                throw new ComponentLoadException($"{file}: a resource must be a YAML mapping");
            }

            if (Scalar(root, "kind") != "Component")
            {
                continue;
            }

            result.Add(ReadComponent(file, root, environment));
        }

        return result;
    }

    private static ComponentDefinition ReadComponent(string file, YamlMappingNode root, Func<string, string?> environment)
    {
        var name = (Child(root, "metadata") is YamlMappingNode meta ? Scalar(meta, "name") : null)
            ?? throw new ComponentLoadException($"{file}: metadata.name is missing");
        if (Child(root, "spec") is not YamlMappingNode spec)
        {
            throw new ComponentLoadException($"{file}: component '{name}' has no spec");
        }

        var type = Scalar(spec, "type") ?? throw new ComponentLoadException($"{file}: component '{name}' has no spec.type");
        var version = Scalar(spec, "version") ?? "v1";
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Child(spec, "metadata") is YamlSequenceNode items)
        {
            foreach (var item in items)
            {
                if (item is not YamlMappingNode entry || Scalar(entry, "name") is not { } itemName)
                {
                    throw new ComponentLoadException($"{file}: component '{name}' has a metadata item without a name");
                }

                metadata[itemName] = ReadMetadataValue(file, name, itemName, entry, environment);
            }
        }

        var scopes = Child(root, "scopes") is YamlSequenceNode scopeNodes
            ? scopeNodes.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList()
            : [];
        return new ComponentDefinition(name, type, version, metadata, scopes, file);
    }

    private static string ReadMetadataValue(string file, string component, string item, YamlMappingNode entry, Func<string, string?> environment)
    {
        if (Scalar(entry, "envRef") is { } variable)
        {
            return environment(variable)
                ?? throw new ComponentLoadException($"{file}: component '{component}' metadata '{item}' refers to environment variable '{variable}', which is not set");
        }

        if (Child(entry, "secretKeyRef") is not null)
        {
            throw new ComponentLoadException($"{file}: component '{component}' metadata '{item}' uses secretKeyRef, but LocalSidecar has no secret stores; use envRef");
        }

        return Scalar(entry, "value") ?? "";
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;
}
