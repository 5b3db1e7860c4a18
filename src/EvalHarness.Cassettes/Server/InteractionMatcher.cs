using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Matching;
using EvalHarness.Cassettes.Protocols;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Cassettes.Server;

/// <summary>The recorded interaction a request gets, or why there is none.</summary>
/// <param name="Found">The interaction, or null for a miss.</param>
/// <param name="Index">The interaction's position in the cassette, or -1.</param>
/// <param name="Status">For a miss, the status to answer with.</param>
/// <param name="Message">For a miss, what differs and what to do.</param>
/// <param name="Difference">For a changed request, the first difference.</param>
internal readonly record struct MatchResult(Interaction? Found, int Index, int Status, string Message, JsonDifference? Difference)
{
    public static MatchResult Hit(Interaction interaction, int index) => new(interaction, index, StatusCodes.Status200OK, string.Empty, null);

    public static MatchResult Miss(int status, string message, JsonDifference? difference = null) => new(null, -1, status, message, difference);
}

/// <summary>Finds a request's recorded interaction in a cassette, in order or unordered.</summary>
internal sealed class InteractionMatcher(CassetteServerOptions options, CassetteStore store)
{
    /// <summary>
    /// What to do about a changed recording: for the suite being run, when the server knows it
    /// (<see cref="CassetteServerOptions.SuitePath"/>), else for a suite and for an agent behind <c>evalh serve</c> alike.
    /// </summary>
    public string Rerecord { get; } = options.SuitePath is { } suite
        ? $"re-record it: `evalh record {suite} --upstream <url|scripted>` (or `evalh run {suite} --record-mode new_episodes --upstream <url|scripted>` to record only what is new)"
        : "re-record it: `evalh record <suite> --upstream <url|scripted>` for a suite "
            + "(or `evalh run <suite> --record-mode new_episodes` to record only what is new), or restart `evalh serve` with `--mode all --upstream <url>` "
            + "and run your agent again (`--mode new_episodes` records only what is new)";

    /// <summary>What to do about a missing cassette, the same way.</summary>
    public string Record { get; } = options.SuitePath is { } suite
        ? $"Record it with `evalh record {suite} --upstream <url|scripted>`, or record only the missing cassettes with `evalh run {suite} --record-mode once --upstream <url|scripted>`"
        : "Record it with `evalh record <suite> --upstream <url|scripted>` for a suite, "
            + "or with `evalh serve --mode once --upstream <url>` and a run of your agent";

    /// <summary>The paths each protocol's matching ignores: its volatile ones and the options'.</summary>
    private readonly Dictionary<WireProtocol, IReadOnlySet<string>> _ignored = WireProtocols.All.ToDictionary(
        p => p, p => (IReadOnlySet<string>)new HashSet<string>(p.VolatilePaths.Concat(options.IgnoredRequestPaths), StringComparer.Ordinal));

    /// <summary>Finds the recorded interaction for request #<paramref name="index"/> (0-based), or says why there is none.</summary>
    public MatchResult Match(CassetteState state, int index, CassetteRoute route, RequestBody body)
    {
        var (providerPath, ignored) = (route.ProviderPath, _ignored[route.Protocol]);
        // The file's path is only for the messages: worked out when one is written.
        string CassetteFile() => store.PathFor(state.Id);
        if (state.Cassette is not { } cassette)
        {
            return MatchResult.Miss(StatusCodes.Status404NotFound, $"cassette '{state.Id}' not found at {CassetteFile()}. {Record}.");
        }

        JsonDifference? Differ(Interaction i) => !string.Equals(i.Request.Path, providerPath, StringComparison.Ordinal)
            ? new JsonDifference("(path)", i.Request.Path, providerPath)
            : JsonDiff.First(i.Request.Body, body.Json, ignored);

        // The common case first: the request is the recorded one written the same way (escapes aside), so it
        // matches without being parsed or compared value by value.
        bool Same(int i) => string.Equals(cassette.Interactions[i].Request.Path, providerPath, StringComparison.Ordinal)
            && JsonText.SameUpToEscapes(body.Raw, state.RequestBytes(i));

        if (options.Match == MatchMode.Unordered)
        {
            state.Used ??= new bool[cassette.Interactions.Count];
            if (state.FindUnusedSame(body.Raw, providerPath) is var same and >= 0)
            {
                state.Used[same] = true;
                return MatchResult.Hit(cassette.Interactions[same], same);
            }

            // Then the same text up to escapes (cheap), and only then value by value, with the ignored paths.
            var firstUnused = -1;
            foreach (var exact in (bool[])[true, false])
            {
                for (var i = 0; i < cassette.Interactions.Count; i++)
                {
                    if (state.Used[i])
                    {
                        continue;
                    }

                    firstUnused = firstUnused < 0 ? i : firstUnused;
                    if (exact ? Same(i) : Differ(cassette.Interactions[i]) is null)
                    {
                        state.Used[i] = true;
                        return MatchResult.Hit(cassette.Interactions[i], i);
                    }
                }
            }

            if (firstUnused < 0)
            {
                return MatchResult.Miss(StatusCodes.Status422UnprocessableEntity,
                    $"cassette '{state.Id}' ({CassetteFile()}): all {cassette.Interactions.Count} interaction(s) were used, but the agent made request #{index + 1}. {Capitalise(Rerecord)}.");
            }

            var nearest = Differ(cassette.Interactions[firstUnused])!;
            return MatchResult.Miss(StatusCodes.Status422UnprocessableEntity,
                $"cassette '{state.Id}' ({CassetteFile()}): no unused interaction matches request #{index + 1}; the nearest, interaction #{firstUnused + 1}, differs at {Changed(body, nearest, route.Protocol)}", nearest);
        }

        if (index >= cassette.Interactions.Count)
        {
            return MatchResult.Miss(StatusCodes.Status422UnprocessableEntity,
                $"cassette '{state.Id}' ({CassetteFile()}) has {cassette.Interactions.Count} interaction(s), but the agent made request #{index + 1}. "
                + $"The agent now makes more model calls than when it was recorded: {Rerecord}.");
        }

        var recorded = cassette.Interactions[index];
        if (!Same(index) && Differ(recorded) is { } difference)
        {
            return MatchResult.Miss(StatusCodes.Status422UnprocessableEntity,
                $"cassette '{state.Id}' ({CassetteFile()}), interaction #{index + 1}: the request differs from the recording at {Changed(body, difference, route.Protocol)}", difference);
        }

        return MatchResult.Hit(recorded, index);
    }

    /// <summary>
    /// Where a request differs, what that part is, and what to do: a miss is not a failed assertion. A changed tool result
    /// means the tool or the world it reaches changed; any other change is the agent's, which re-recording would accept
    /// as the new normal, so the advice says to re-record only a change that was meant.
    /// </summary>
    private string Changed(RequestBody body, JsonDifference difference, WireProtocol protocol)
    {
        var part = RequestPart.Describe(body.Json, difference.Path, protocol);
        var where = part is null ? difference.Path : $"{difference.Path} ({part.Words})";
        var advice = part is { IsToolResult: true }
            ? $"A tool answered differently than when it was recorded: if it reaches a service or data that changed since, the replay must not depend on it; if you changed the tool on purpose, {Rerecord}."
            : $"If the change is intended (a new prompt, model or tool), {Rerecord}; if not, the agent's behaviour changed: fix that instead, since re-recording would make it the new recording.";
        return $"{where}: recorded {difference.Expected}, got {difference.Actual}. {advice}";
    }

    /// <summary>Whether a request is <paramref name="recorded"/>'s, as matching compares them (ignored paths aside).</summary>
    private bool IsSameRequest(Interaction recorded, CassetteRoute route, RequestBody body) =>
        string.Equals(recorded.Request.Path, route.ProviderPath, StringComparison.Ordinal) && JsonDiff.First(recorded.Request.Body, body.Json, _ignored[route.Protocol]) is null;

    /// <summary>
    /// True when a request starts the conversation again: it is the recorded first request, or it calls the same path
    /// with as many messages as the first and not as many as <paramref name="current"/> (the interaction it would
    /// otherwise be compared with, or the last one recorded). A changed first request after a finished run is then
    /// diffed against #1, not reported as one request too many.
    /// </summary>
    public bool StartsOver(Interaction first, Interaction? current, CassetteRoute route, RequestBody body) =>
        IsSameRequest(first, route, body)
        || (string.Equals(first.Request.Path, route.ProviderPath, StringComparison.Ordinal)
            && route.Protocol.ConversationLength(body.Json) is { } count
            && count == route.Protocol.ConversationLength(first.Request.Body)
            && (current is null || route.Protocol.ConversationLength(current.Request.Body) != count));

    private static string Capitalise(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
