using System.Globalization;
using System.Text;
using Npgsql;

namespace Gateway.LocalSidecar.State;

/// <summary>
/// Turns a connection string in a form Dapr's PostgreSQL components take (those of the Go driver
/// pgx, which follow libpq) into Npgsql's form.
/// </summary>
internal static class PostgresConnectionString
{
    // pgx settings that only tune its own pool or protocol use; Npgsql's defaults stand in for them.
    private static readonly HashSet<string> s_driverOnly = new(StringComparer.Ordinal)
    {
        "pool_max_conn_lifetime", "pool_max_conn_lifetime_jitter", "pool_max_conn_idle_time", "pool_health_check_period",
        "statement_cache_capacity", "description_cache_capacity", "default_query_exec_mode", "min_read_buffer_size", "sslsni",
    };

    /// <summary>
    /// Reads keyword/value (<c>host=db port=5432 user=app password='a b' dbname=state sslmode=require</c>),
    /// a URL (<c>postgres://app:secret@db:5432/state?sslmode=require</c>), or, when it holds a
    /// <c>;</c> outside quotes, Npgsql's own form, which passes through. Keywords without an Npgsql
    /// setting become server settings (<c>-c name=value</c>), as pgx sends unknown keywords.
    /// </summary>
    /// <exception cref="ArgumentException">The string cannot be read.</exception>
    public static string ToNpgsql(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var trimmed = connectionString.Trim();
        if (trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return Build(ParseUrl(trimmed));
        }

        return HasSemicolonOutsideQuotes(trimmed)
            ? new NpgsqlConnectionStringBuilder(trimmed).ConnectionString
            : Build(ParseKeywordValue(trimmed));
    }

    private static string Build(List<(string Key, string Value)> settings)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        string? host = null, hostAddress = null, port = null;
        var serverSettings = new StringBuilder();
        foreach (var (key, value) in settings)
        {
            switch (key)
            {
                case "host": host = value; break;
                case "hostaddr": hostAddress = value; break;
                case "port": port = value; break;
                case "dbname" or "database": builder.Database = value; break;
                case "user": builder.Username = value; break;
                case "password": builder.Password = value; break;
                case "passfile": builder.Passfile = value; break;
                case "connect_timeout": builder.Timeout = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "sslmode": builder.SslMode = ParseSslMode(value); break;
                case "sslrootcert": builder.RootCertificate = value; break;
                case "sslcert": builder.SslCertificate = value; break;
                case "sslkey": builder.SslKey = value; break;
                case "sslpassword": builder.SslPassword = value; break;
                case "application_name": builder.ApplicationName = value; break;
                case "search_path": builder.SearchPath = value; break;
                case "timezone": builder.Timezone = value; break;
                case "target_session_attrs": builder.TargetSessionAttributes = value; break;
                case "krbsrvname": builder.KerberosServiceName = value; break;
                case "options": serverSettings.Append(value).Append(' '); break;
                case "pool_max_conns": builder.MaxPoolSize = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "pool_min_conns": builder.MinPoolSize = int.Parse(value, CultureInfo.InvariantCulture); break;
                case var _ when s_driverOnly.Contains(key): break;
                default:
                    serverSettings.Append("-c ").Append(key).Append('=').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(" ", "\\ ", StringComparison.Ordinal)).Append(' ');
                    break;
            }
        }

        builder.Host = JoinHosts(host ?? hostAddress ?? "localhost", port);
        if (serverSettings.Length > 0)
        {
            builder.Options = serverSettings.ToString().TrimEnd();
        }

        return builder.ConnectionString;
    }

    // libpq pairs a host list with a port list (or one port for all); Npgsql wants host:port items.
    private static string JoinHosts(string hosts, string? ports)
    {
        if (string.IsNullOrEmpty(ports))
        {
            return hosts;
        }

        var hostList = hosts.Split(',');
        var portList = ports.Split(',');
        if (portList.Length != 1 && portList.Length != hostList.Length)
        {
            throw new ArgumentException($"could not match {portList.Length} port numbers to {hostList.Length} hosts");
        }

        return string.Join(',', hostList.Select((h, i) => HostWithPort(h, portList.Length == 1 ? portList[0] : portList[i])));
    }

    private static string HostWithPort(string host, string port)
    {
        var bracketed = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        return port.Length == 0 ? host : $"{bracketed}:{port}";
    }

    private static SslMode ParseSslMode(string value) => value switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new ArgumentException($"sslmode is invalid: {value}"),
    };

    private static List<(string Key, string Value)> ParseUrl(string url)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var settings = new List<(string Key, string Value)>();

        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        if (queryStart >= 0)
        {
            foreach (var pair in rest[(queryStart + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                settings.Add(equals < 0
                    ? (Uri.UnescapeDataString(pair), string.Empty)
                    : (Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..])));
            }

            rest = rest[..queryStart];
        }

        var pathStart = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        if (pathStart >= 0 && pathStart < rest.Length - 1)
        {
            settings.Insert(0, ("dbname", Uri.UnescapeDataString(rest[(pathStart + 1)..])));
        }

        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            settings.Insert(0, ("user", Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon])));
            if (colon >= 0)
            {
                settings.Insert(1, ("password", Uri.UnescapeDataString(userInfo[(colon + 1)..])));
            }

            authority = authority[(at + 1)..];
        }

        if (authority.Length > 0)
        {
            // Ports ride along in the host items here, which Npgsql's Host takes as they are.
            settings.Insert(0, ("host", Uri.UnescapeDataString(authority)));
        }

        return settings;
    }

    private static bool HasSemicolonOutsideQuotes(string text)
    {
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\': i++; break;
                case '\'': quoted = !quoted; break;
                case ';' when !quoted: return true;
            }
        }

        return false;
    }

    // libpq's grammar: key = value pairs apart by whitespace; a value is a run of non-blanks or a
    // single-quoted string, and a backslash escapes the next character in either.
    private static List<(string Key, string Value)> ParseKeywordValue(string text)
    {
        var settings = new List<(string Key, string Value)>();
        var i = 0;
        while (true)
        {
            SkipWhiteSpace(text, ref i);
            if (i == text.Length)
            {
                return settings;
            }

            var keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var key = text[keyStart..i];
            SkipWhiteSpace(text, ref i);
            if (i == text.Length || text[i] != '=')
            {
                throw new ArgumentException($"missing \"=\" after \"{key}\" in connection string");
            }

            i++;
            SkipWhiteSpace(text, ref i);
            var quoted = i < text.Length && text[i] == '\'';
            if (quoted)
            {
                i++;
            }

            var value = new StringBuilder();
            while (i < text.Length && (quoted ? text[i] != '\'' : !char.IsWhiteSpace(text[i])))
            {
                if (text[i] == '\\' && i + 1 < text.Length)
                {
                    i++;
                }

                value.Append(text[i++]);
            }

            if (quoted)
            {
                if (i == text.Length)
                {
                    throw new ArgumentException("unterminated quoted string in connection string");
                }

                i++;
            }

            settings.Add((key, value.ToString()));
        }
    }

    private static void SkipWhiteSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }
    }
}
