namespace Gateway.LocalSidecar.Actors;

/// <summary>One actor: its type and id.</summary>
internal readonly record struct ActorKey(string Type, string Id)
{
    public override string ToString() => $"{Type}/{Id}";
}
