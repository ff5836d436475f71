using System.Globalization;
using Gateway.Testing;

namespace Gateway.Llm.Bench;

/// <summary>
/// nginx as a plain reverse proxy in front of the fake backend, the yardstick ARCHITECTURE.md §10
/// asks for: a child process on a free loopback port, its configuration, logs and temp files in a
/// folder of the run, keep-alive connections to the fake, the backend's key put in place of the
/// caller's (as the gateway does), no access log. Killed with its workers on dispose.
/// </summary>
internal sealed class NginxProxy : IAsyncDisposable
{
    private readonly TestProcess _process;

    private NginxProxy(TestProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The <c>nginx</c> binary on PATH, or null.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "nginx"))
            .FirstOrDefault(File.Exists);

    public static async Task<NginxProxy> StartAsync(string binary, string folder, int backendPort, string backendKey)
    {
        var port = FreePort.Next();
        var configuration = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(configuration, Configuration(folder, port, backendPort, backendKey)).ConfigureAwait(false);

        // -e: nginx would otherwise open its compiled-in error log before reading the configuration.
        var process = TestProcess.Start(binary, ["-p", folder, "-c", configuration, "-e", Path.Combine(folder, "error.log")]);
        var proxy = new NginxProxy(process, port);
        try
        {
            await Readiness.WaitAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/healthz"), () => process.HasExited ? process.Output + ReadLog(folder) : null).ConfigureAwait(false);
        }
        catch
        {
            await proxy.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return proxy;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string ReadLog(string folder) =>
        File.Exists(Path.Combine(folder, "error.log")) ? File.ReadAllText(Path.Combine(folder, "error.log")) : "";

    // One worker per core, like Kestrel's thread pool; keep-alive to the fake, as the gateway's pooled handler does.
    private static string Configuration(string folder, int port, int backendPort, string backendKey) => string.Create(CultureInfo.InvariantCulture, $$"""
        daemon off;
        worker_processes auto;
        pid {{folder}}/nginx.pid;
        error_log {{folder}}/error.log warn;
        events {
            worker_connections 4096;
        }
        http {
            access_log off;
            client_body_temp_path {{folder}}/client_body;
            proxy_temp_path {{folder}}/proxy;
            fastcgi_temp_path {{folder}}/fastcgi;
            uwsgi_temp_path {{folder}}/uwsgi;
            scgi_temp_path {{folder}}/scgi;
            upstream fake {
                server 127.0.0.1:{{backendPort}};
                keepalive 128;
            }
            server {
                listen 127.0.0.1:{{port}};
                keepalive_requests 100000;
                location / {
                    proxy_pass http://fake;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Authorization "Bearer {{backendKey}}";
                }
            }
        }
        """);
}
