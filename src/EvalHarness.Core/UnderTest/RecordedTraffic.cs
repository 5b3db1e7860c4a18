using System.Globalization;
using System.Text.Json;
using EvalHarness.Agents.Runtime;
using EvalHarness.Cassettes.Format;
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

    /// <summary>A run span, a span per model call on recorded time, and a span per tool call.</summary>
    public required IReadOnlyList<TraceSpan> Trace { get; init; }

    /// <summary>The last answer's text.</summary>
    public required string LastText { get; init; }

    /// <summary>Reads the interactions of one case, in the order they were served.</summary>
    public static RecordedTraffic Analyse(IReadOnlyList<Interaction> interactions, string agentName)
    {
        var turns = interactions.Select(Turn.Read).ToList();
        var results = new Dictionary<string, (string Text, bool IsError)>(StringComparer.Ordinal);
        foreach (var interaction in interactions)
        {
            CollectResults(interaction.Request.Body, results);
        }

        var calls = new List<ToolCallResult>();
        var spans = new List<TraceSpan>();
        var at = 0.0;
        var step = 0;
        decimal? cost = 0m;
        foreach (var (turn, index) in turns.Select((t, i) => (t, i)))
        {
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
            var price = PricingTable.Default.Cost(new ModelRef(turn.Provider, turn.Model), new TokenUsage(turn.InputTokens, turn.OutputTokens));
            cost = cost is null || price is null ? null : cost + price;
            foreach (var call in turn.Calls)
            {
                var found = results.TryGetValue(call.Id, out var result);
                calls.Add(new ToolCallResult(step, call.Name, call.Arguments, found ? result.Text : string.Empty, found && result.IsError, found ? (result.IsError ? "error" : "ok") : "no_result"));
                spans.Add(new TraceSpan(spans.Count + 2, 1, "tool", call.Name, at, 0, !found ? "no_result" : result.IsError ? "error" : "ok", new Dictionary<string, string> { ["arguments"] = call.Arguments }));
            }
        }

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
            Transcript = interactions.Count == 0 ? [] : Conversation(interactions[^1].Request.Body, turns[^1].Ok ? turns[^1] : null),
            Trace = interactions.Count == 0 ? [] : spans,
            LastText = last?.Text ?? string.Empty,
        };
    }

    /// <summary>The models an agent called, <c>provider:model</c> in the order first called; empty when it called none.</summary>
    public static string Models(IReadOnlyList<Interaction> interactions) =>
        string.Join(", ", interactions.Select(Turn.Read).Select(t => $"{t.Provider}:{t.Model}").Distinct());

    /// <summary>Tool results the agent sent back, by the id of the call they answer.</summary>
    private static void CollectResults(JsonElement body, Dictionary<string, (string, bool)> results)
    {
        foreach (var message in Items(body, "messages").Concat(Items(body, "input")))
        {
            // OpenAI chat: { role: tool, tool_call_id, content }; Responses: { type: function_call_output, call_id, output }.
            if (Str(message, "role") == "tool" && Str(message, "tool_call_id") is { } id)
            {
                var text = Text(message.GetProperty("content"));
                results[id] = (text, IsErrorObject(text));
            }
            else if (Str(message, "type") == "function_call_output" && Str(message, "call_id") is { } callId)
            {
                var text = message.TryGetProperty("output", out var output) ? Text(output) : string.Empty;
                results[callId] = (text, IsErrorObject(text));
            }

            // Anthropic: a user message whose content blocks include { type: tool_result, tool_use_id, content, is_error }.
            foreach (var block in Items(message, "content").Where(b => Str(b, "type") == "tool_result"))
            {
                if (Str(block, "tool_use_id") is { } useId)
                {
                    var isError = block.TryGetProperty("is_error", out var e) && e.ValueKind == JsonValueKind.True;
                    results[useId] = (block.TryGetProperty("content", out var content) ? Text(content) : string.Empty, isError);
                }
            }
        }
    }

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

    private static List<TranscriptEntry> Conversation(JsonElement request, Turn? last)
    {
        var entries = new List<TranscriptEntry>();
        if (request.TryGetProperty("system", out var system))
        {
            entries.Add(new("system", Text(system)));
        }

        if (Str(request, "instructions") is { } instructions)
        {
            entries.Add(new("system", instructions));
        }

        if (request.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.String)
        {
            entries.Add(new("user", input.GetString()!));
        }

        foreach (var message in Items(request, "messages").Concat(Items(request, "input")))
        {
            var role = Str(message, "role") ?? (Str(message, "type") switch
            {
                "function_call" => "assistant",
                "function_call_output" => "tool",
                _ => "user",
            });
            var parts = new List<string>();
            if (message.TryGetProperty("content", out var content) && content.ValueKind != JsonValueKind.Null)
            {
                parts.Add(Text(content));
            }

            foreach (var call in Items(message, "tool_calls"))
            {
                var function = call.GetProperty("function");
                parts.Add($"→ {Str(function, "name")}({Str(function, "arguments")})");
            }

            if (Str(message, "type") == "function_call")
            {
                parts.Add($"→ {Str(message, "name")}({Str(message, "arguments")})");
            }

            if (Str(message, "type") == "function_call_output" && message.TryGetProperty("output", out var output))
            {
                parts.Add($"← {Text(output)}");
            }

            var text = string.Join(Environment.NewLine, parts.Where(p => p.Length > 0));
            entries.Add(new(role, role == "tool" && !text.StartsWith('←') ? $"← {text}" : text));
        }

        if (last is not null)
        {
            var parts = new List<string> { last.Text };
            parts.AddRange(last.Calls.Select(c => $"→ {c.Name}({c.Arguments})"));
            entries.Add(new("assistant", string.Join(Environment.NewLine, parts.Where(p => p.Length > 0))));
        }

        return entries;
    }

    /// <summary>The text of a content value: a string, or the text of its blocks (tool uses and results written out).</summary>
    private static string Text(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Join(Environment.NewLine, content.EnumerateArray().Select(block => Str(block, "type") switch
        {
            "text" or "input_text" or "output_text" => Str(block, "text") ?? string.Empty,
            "tool_use" => $"→ {Str(block, "name")}({(block.TryGetProperty("input", out var i) ? i.GetRawText() : "{}")})",
            "tool_result" => $"← {(block.TryGetProperty("content", out var c) ? Text(c) : string.Empty)}",
            _ => block.ValueKind == JsonValueKind.String ? block.GetString()! : string.Empty,
        }).Where(s => s.Length > 0)),
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        _ => content.GetRawText(),
    };

    private static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray()
            : [];

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.TryGetInt64(out var n) ? n : 0;
}
