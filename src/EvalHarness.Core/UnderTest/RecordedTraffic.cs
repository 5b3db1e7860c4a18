using System.Globalization;
using System.Text.Json;
using EvalHarness.Agents.Runtime;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Protocols;
using EvalHarness.Core.Pricing;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// What a case's recorded model traffic says about the run, for an agent that does not say it itself: the tool
/// calls the model asked for (OpenAI <c>tool_calls</c>, Responses <c>function_call</c>, Anthropic <c>tool_use</c>) with
/// the results sent back in later requests, the steps, the tokens and their cost, the transcript and the spans.
/// </summary>
internal sealed partial record RecordedTraffic
{
    /// <summary>Tool calls in the order the model asked for them.</summary>
    public required IReadOnlyList<ToolCallResult> ToolCalls { get; init; }

    /// <summary>Model calls answered with a 2xx.</summary>
    public required int Steps { get; init; }

    /// <summary>Every model call, failed ones included.</summary>
    public required int ModelCalls { get; init; }

    /// <summary>Input tokens over every call.</summary>
    public required long InputTokens { get; init; }

    /// <summary>Output tokens over every call.</summary>
    public required long OutputTokens { get; init; }

    /// <summary>Cost in USD, or null when a model has no price.</summary>
    public required decimal? CostUsd { get; init; }

    /// <summary>The conversation as the last request sent it, with the last answer.</summary>
    public required IReadOnlyList<TranscriptEntry> Transcript { get; init; }

    /// <summary>A run span, a span per model call and per tool server call on recorded time, and a span per tool call.</summary>
    public required IReadOnlyList<TraceSpan> Trace { get; init; }

    /// <summary>The last answer's text.</summary>
    public required string LastText { get; init; }

    /// <summary>Reads the interactions of one case, in the order they were served; <paramref name="pricedAs"/> names the model a call's price is read for.</summary>
    /// <param name="interactions">The model's interactions, in order.</param>
    /// <param name="agentName">The run span's name.</param>
    /// <param name="pricedAs">The model a call's price is read for.</param>
    /// <param name="tools">The calls of the agent's tool servers, each placed on the timeline after the model call it followed.</param>
    public static RecordedTraffic Analyse(
        IReadOnlyList<Interaction> interactions, string agentName, Func<ModelRef, ModelRef>? pricedAs = null, IReadOnlyList<ServedToolExchange>? tools = null)
    {
        // Every answered request to a tool server takes its time on the timeline (its handshake too); notifications take none.
        var serverCalls = (tools ?? []).Where(t => !ToolTraffic.IsNotification(t.Exchange)).ToList();
        var turns = interactions.Select(Turn.Read).ToList();
        var results = new Dictionary<string, (string Text, bool IsError)>(StringComparer.Ordinal);
        foreach (var interaction in interactions)
        {
            CollectResults(interaction, results);
        }

        var calls = new List<ToolCallResult>();
        var spans = new List<TraceSpan>();
        var at = 0.0;
        var step = 0;
        decimal? cost = 0m;
        // A tool server's call takes its recorded time on the timeline, between the model calls it came between.
        void ServerSpans(Func<int, bool> after)
        {
            foreach (var served in serverCalls.Where(t => after(t.AfterModelCalls)))
            {
                var name = ToolTraffic.Name(served.Exchange);
                var failed = served.Exchange.Response.Fault ?? (served.Exchange.Response.Status is 0 or >= 400 ? served.Exchange.Response.Status.ToString(CultureInfo.InvariantCulture) : null);
                spans.Add(new TraceSpan(spans.Count + 2, 1, "server", name, at, served.Exchange.Timings.TotalMs, failed ?? "ok", new Dictionary<string, string>
                {
                    ["server"] = $"{served.Exchange.Kind}:{served.Exchange.Server}",
                }));
                at += served.Exchange.Timings.TotalMs;
            }
        }

        foreach (var (turn, index) in turns.Select((t, i) => (t, i)))
        {
            ServerSpans(after => after == index);
            var timings = interactions[index].Timings;
            step += turn.Ok ? 1 : 0;
            var modelSpan = spans.Count + 2;
            spans.Add(new TraceSpan(modelSpan, 1, "model", turn.Model, at, timings.TotalMs, turn.Ok ? "ok" : turn.Status, new Dictionary<string, string>
            {
                ["input_tokens"] = turn.InputTokens.ToString(CultureInfo.InvariantCulture),
                ["output_tokens"] = turn.OutputTokens.ToString(CultureInfo.InvariantCulture),
                ["time_to_first_byte_ms"] = timings.FirstByteMs.ToString("0.#", CultureInfo.InvariantCulture),
            }));
            at += timings.TotalMs;
            var price = PricingTable.Default.Cost(pricedAs?.Invoke(new ModelRef(turn.Provider, turn.Model)) ?? new ModelRef(turn.Provider, turn.Model), new TokenUsage(turn.InputTokens, turn.OutputTokens));
            cost = cost is null || price is null ? null : cost + price;
            foreach (var call in turn.Calls)
            {
                var found = results.TryGetValue(call.Id, out var result);
                calls.Add(new ToolCallResult(step, call.Name, call.Arguments, found ? result.Text : string.Empty, found && result.IsError, found ? (result.IsError ? "error" : "ok") : "no_result"));
                spans.Add(new TraceSpan(spans.Count + 2, 1, "tool", call.Name, at, 0, !found ? "no_result" : result.IsError ? "error" : "ok", new Dictionary<string, string> { ["arguments"] = call.Arguments }));
            }
        }

        ServerSpans(after => after >= turns.Count);
        spans.Insert(0, new TraceSpan(1, 0, "run", agentName, 0, at, "ok", new Dictionary<string, string> { ["model_calls"] = turns.Count.ToString(CultureInfo.InvariantCulture) }));
        var last = turns.LastOrDefault(t => t.Ok);
        return new RecordedTraffic
        {
            ToolCalls = calls,
            Steps = step,
            ModelCalls = turns.Count,
            InputTokens = turns.Sum(t => t.InputTokens),
            OutputTokens = turns.Sum(t => t.OutputTokens),
            CostUsd = turns.Count == 0 ? 0m : cost,
            // The answer to the last request, if it had one: an earlier answer is already among that request's messages.
            Transcript = interactions.Count == 0 ? [] : Conversation(interactions[^1], turns[^1].Ok ? turns[^1] : null),
            Trace = interactions.Count == 0 && serverCalls.Count == 0 ? [] : spans,
            LastText = last?.Text ?? string.Empty,
        };
    }

    /// <summary>The models an agent called, <c>provider:model</c> in the order first called; empty when it called none.</summary>
    public static string Models(IReadOnlyList<Interaction> interactions) =>
        string.Join(", ", interactions.Select(Turn.Read).Select(t => $"{t.Provider}:{t.Model}").Distinct());

    /// <summary>Tool results the agent sent back, by the id of the call they answer.</summary>
    private static void CollectResults(Interaction interaction, Dictionary<string, (string, bool)> results)
    {
        foreach (var result in Request(interaction).ToolResults)
        {
            results[result.CallId] = (result.Text, result.IsError ?? IsErrorObject(result.Text));
        }
    }

    /// <summary>What a recorded request sent, read by the protocol whose path it called.</summary>
    private static ModelRequest Request(Interaction interaction) =>
        WireProtocols.ForRecordedPath(interaction.Request.Path).ReadRequest(interaction.Request.Body);

    /// <summary>
    /// Whether a tool result is an error by the common convention of a JSON object with an <c>error</c> key
    /// (OpenAI's wire format has no error flag for tool results; Anthropic's <c>is_error</c> is read as sent).
    /// </summary>
    private static bool IsErrorObject(string result)
    {
        if (!result.StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(result);
            return document.RootElement.TryGetProperty("error", out var error) && error.ValueKind is not (JsonValueKind.Null or JsonValueKind.False);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static List<TranscriptEntry> Conversation(Interaction request, Turn? last)
    {
        var entries = Request(request).Messages.Select(m => new TranscriptEntry(m.Role, m.Text)).ToList();
        if (last is not null)
        {
            var parts = new List<string> { last.Text };
            parts.AddRange(last.Calls.Select(c => $"→ {c.Name}({c.Arguments})"));
            entries.Add(new("assistant", string.Join(Environment.NewLine, parts.Where(p => p.Length > 0))));
        }

        return entries;
    }
}
