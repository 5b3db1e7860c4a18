using System.Text.Json;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// A team's agent served over HTTP (<c>agent: { http: { url, … } }</c>): the harness POSTs each case (each turn of a
/// conversation) to <see cref="Url"/>, with trace context naming the case, and the service's own model and tool calls
/// reach the cassette server's case-less address, routed to the case by that trace context (docs/served-agents.md).
/// </summary>
internal sealed record ServedAgent
{
    /// <summary>The endpoint each case is POSTed to.</summary>
    public required Uri Url { get; init; }

    /// <summary>How the harness starts the service for the run; null for a service that is already running.</summary>
    public ServiceStart? Start { get; init; }

    /// <summary>Headers sent with every request (their <c>${VAR}</c>s already read from the environment).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The JSON body template: strings may hold <c>{{input}}</c>, <c>{{case_id}}</c>, <c>{{turn}}</c>, <c>{{session}}</c>,
    /// <c>{{vars.x}}</c>; a string that is only <c>{{conversation}}</c>, <c>{{vars.x}}</c>, <c>{{turn}}</c> or
    /// <c>{{state}}</c> becomes that JSON value. Null: the process agents' input object (docs/own-agent.md).
    /// </summary>
    public JsonElement? Body { get; init; }

    /// <summary>The JSON path of the answer in the response (<c>$.reply</c>); null: the process agents' answer object.</summary>
    public string? Output { get; init; }

    /// <summary>The JSON path of the state the answer reports (<c>$.state</c>); null for none.</summary>
    public string? State { get; init; }

    /// <summary>The JSON path of a session id the first answer gives, sent back on later turns as <c>{{session}}</c>.</summary>
    public string? Session { get; init; }

    /// <summary>
    /// Instead of <see cref="Body"/> and <see cref="Output"/>: the endpoint speaks <c>openai-responses</c> or
    /// <c>openai-chat</c> (the form agent hosts expose); null for a body template.
    /// </summary>
    public string? Protocol { get; init; }

    /// <summary>How long one request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The two endpoint protocols <see cref="Protocol"/> names.</summary>
    public static readonly IReadOnlyList<string> Protocols = ["openai-responses", "openai-chat"];
}
