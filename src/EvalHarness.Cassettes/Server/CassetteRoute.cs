using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Protocols;
using EvalHarness.Cassettes.Secrets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EvalHarness.Cassettes.Server;

/// <summary>The first step of a request: which cassette it is for, and which protocol and path it calls.</summary>
/// <param name="CassetteId">The cassette id from <c>/c/{cassette-id}/v1/...</c>: an instance's id (<c>~n/…</c>) when instances are on.</param>
/// <param name="ProviderPath">The protocol's path (<c>v1/...</c>) with its query scrubbed of secrets, as a cassette keeps it.</param>
/// <param name="Protocol">The wire protocol whose path it is.</param>
internal readonly record struct CassetteRoute(string CassetteId, string ProviderPath, WireProtocol Protocol)
{
    /// <summary>Where every cassette URL starts.</summary>
    public const string Prefix = "/c/";

    /// <summary>The route of cassette URLs, whose <see cref="Rest"/> is the cassette id and the provider path.</summary>
    public const string Pattern = Prefix + "{**" + Rest + "}";

    /// <summary>The route value after <see cref="Prefix"/>.</summary>
    public const string Rest = "rest";

    /// <summary>
    /// Reads the route of <paramref name="context"/>, or says why it is not a cassette URL. With <paramref name="instances"/>,
    /// an id may name an instance (<see cref="CassetteInstance"/>), and the cassette id it reads is what is checked.
    /// </summary>
    public static bool TryRead(HttpContext context, bool instances, out CassetteRoute route, out string error)
    {
        var rest = (string?)context.GetRouteValue(Rest) ?? string.Empty;
        var request = context.Request;
        if (!WireProtocols.TryRoute(rest, marker => request.Headers.ContainsKey(marker) || request.Query.ContainsKey(marker), out var id, out var providerPath, out var protocol))
        {
            route = default;
            error = $"'/c/{rest}' is not a cassette URL: use /c/<cassette-id>/ and the path a provider's client appends ({string.Join(", ", WireProtocols.All.Select(p => p.Paths[0].Template))} …), "
                + "with an id of letters, digits, '.', '_', '-' and '/'.";
            return false;
        }

        if (CassetteStore.IdProblem(instances ? CassetteInstance.FileId(id) : id) is { } problem)
        {
            route = default;
            error = $"'/c/{(rest.Length > 300 ? rest[..300] + "…" : rest)}' is not a cassette URL: {problem}";
            return false;
        }

        route = new CassetteRoute(id, providerPath + SecretScanner.ScrubQuery(request.QueryString.Value ?? string.Empty), protocol);
        error = string.Empty;
        return true;
    }
}
