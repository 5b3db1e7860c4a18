namespace EvalHarness.Cassettes.Protocols;

/// <summary>
/// One path a protocol's requests take after the cassette id, as segments: a literal, <c>*</c> (any one segment with no
/// <c>:</c>, so OpenAI's <c>v1/models/*</c> is not Gemini's <c>v1/models/gemini-2.0-flash:generateContent</c>) or
/// <c>*:suffix</c> (a segment that ends in <c>:suffix</c>, as Gemini's <c>models/gemini-2.0-flash:generateContent</c>).
/// </summary>
/// <param name="Template">The path, e.g. <c>v1/chat/completions</c> or <c>openai/deployments/*/chat/completions</c>.</param>
/// <param name="Marker">
/// When set, the request must carry this header or query parameter for the path to be this protocol's: how the Azure
/// OpenAI <c>openai/v1/…</c> form (which sends <c>api-key</c>) is told from a variant named <c>openai</c> before OpenAI's <c>v1/…</c>.
/// </param>
internal sealed record ProtocolPath(string Template, string? Marker = null)
{
    private readonly string[] _segments = Template.Split('/');

    /// <summary>How many segments the path has.</summary>
    public int Length => _segments.Length;

    /// <summary>Whether <paramref name="segments"/> from <paramref name="start"/> to their end are this path.</summary>
    public bool Matches(string[] segments, int start)
    {
        if (segments.Length - start != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < _segments.Length; i++)
        {
            var pattern = _segments[i];
            var segment = segments[start + i];
            var ok = pattern switch
            {
                "*" => segment.Length > 0 && !segment.Contains(':', StringComparison.Ordinal),
                ['*', ':', ..] => segment.Length > pattern.Length - 1 && segment.EndsWith(pattern[1..], StringComparison.Ordinal),
                _ => string.Equals(pattern, segment, StringComparison.Ordinal),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
