namespace Gateway.LocalSidecar.Hosting;

/// <summary>
/// The loopback port other sidecars use to deliver calls to this one (daprd's internal gRPC
/// port). It is chosen by the OS at start, so it is known only once Kestrel listens.
/// </summary>
internal sealed class InternalEndpoint
{
    private int _port;

    public int Port => Volatile.Read(ref _port);

    public void Bind(int port) => Volatile.Write(ref _port, port);

    public bool Serves(HttpContext context) => context.Connection.LocalPort == Port && Port != 0;
}
