using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Agents.Runtime;
using EvalHarness.Cassettes.Format;
using EvalHarness.Core.Pricing;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// What a case's recorded model traffic says about the run, for an agent that does not say it itself: the tool
/// calls the model asked for (OpenAI <c>tool_calls</c>, Responses <c>function_call</c>, Anthropic <c>tool_use</c>) with
/// the results sent back in later requests, the steps, the tokens and their cost, the transcript and the spans.
/// </summary>
internal sealed record RecordedTraffic
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

    /// <summary>A tool call as the model asked for it.</summary>
    private sealed record Call(string Id, string Name, string Arguments);

    /// <summary>One model call, read from its request and (plain or streamed) response.</summary>
    private sealed record Turn(string Provider, string Model, bool Ok, string Status, string Text, IReadOnlyList<Call> Calls, long InputTokens, long OutputTokens)
    {
        public static Turn Read(Interaction interaction)
        {
            // The recorded path keeps its query (the Anthropic SDKs' beta client posts to /v1/messages?beta=true).
            var path = interaction.Request.Path.Split('?', 2)[0];
            var anthropic = path.EndsWith("/messages", StringComparison.Ordinal);
            var provider = anthropic ? "anthropic" : "openai";
            var requested = Str(interaction.Request.Body, "model");
            var response = interaction.Response;
            var ok = response.Status is >= 200 and < 300 && response.Fault is null;
            var status = response.Fault ?? $"HTTP {response.Status}";
            JsonElement? body = response.Events is { } events ? Assemble(events, anthropic, path) : response.Body;
            if (!ok || body is not { ValueKind: JsonValueKind.Object } b)
            {
                return new Turn(provider, requested ?? "model", false, status, string.Empty, [], 0, 0);
            }

            var model = requested ?? Str(b, "model") ?? "model";
            var text = new StringBuilder();
            var calls = new List<Call>();
            long input, output;
            if (anthropic)
            {
                foreach (var block in Items(b, "content"))
                {
                    switch (Str(block, "type"))
                    {
                        case "text":
                            text.Append(Str(block, "text"));
                            break;
                        case "tool_use":
                            calls.Add(new Call(Str(block, "id") ?? string.Empty, Str(block, "name") ?? string.Empty, block.TryGetProperty("input", out var i) ? i.GetRawText() : "{}"));
                            break;
                    }
                }

                var usage = b.TryGetProperty("usage", out var u) ? u : default;
                input = Long(usage, "input_tokens") + Long(usage, "cache_read_input_tokens") + Long(usage, "cache_creation_input_tokens");
                output = Long(usage, "output_tokens");
            }
            else if (b.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var message in choices.EnumerateArray().Select(c => c.TryGetProperty("message", out var m) ? m : default))
                {
                    text.Append(Str(message, "content"));
                    calls.AddRange(Items(message, "tool_calls").Select(c => new Call(
                        Str(c, "id") ?? string.Empty,
                        Str(c.GetProperty("function"), "name") ?? string.Empty,
                        Str(c.GetProperty("function"), "arguments") ?? "{}")));
                }

                var usage = b.TryGetProperty("usage", out var u) ? u : default;
                input = Long(usage, "prompt_tokens");
                output = Long(usage, "completion_tokens");
            }
            else
            {
                // The Responses API: output items of type message (with output_text parts) and function_call.
                foreach (var item in Items(b, "output"))
                {
                    if (Str(item, "type") == "function_call")
                    {
                        calls.Add(new Call(Str(item, "call_id") ?? Str(item, "id") ?? string.Empty, Str(item, "name") ?? string.Empty, Str(item, "arguments") ?? "{}"));
                    }
                    else if (Str(item, "type") == "message")
                    {
                        text.Append(RecordedTraffic.Text(item.TryGetProperty("content", out var c) ? c : default));
                    }
                }

                var usage = b.TryGetProperty("usage", out var u) ? u : default;
                input = Long(usage, "input_tokens");
                output = Long(usage, "output_tokens");
            }

            return new Turn(provider, model, true, "ok", text.ToString(), calls, input, output);
        }

        /// <summary>A streamed answer put back together as the one body it would have been without streaming.</summary>
        private static JsonElement? Assemble(IReadOnlyList<SseEvent> events, bool anthropic, string path)
        {
            if (path.EndsWith("/responses", StringComparison.Ordinal))
            {
                // The Responses API ends its stream with the whole response.
                return events.Select(e => e.Data).Where(d => Str(d, "type") == "response.completed").Select(d => (JsonElement?)d.GetProperty("response")).LastOrDefault();
            }

            var text = new StringBuilder();
            var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
            long input = 0, output = 0;
            string? model = null;
            foreach (var data in events.Select(e => e.Data).Where(d => d.ValueKind == JsonValueKind.Object))
            {
                if (anthropic)
                {
                    switch (Str(data, "type"))
                    {
                        case "message_start":
                            var message = data.GetProperty("message");
                            model = Str(message, "model");
                            input = message.TryGetProperty("usage", out var mu) ? Long(mu, "input_tokens") + Long(mu, "cache_read_input_tokens") + Long(mu, "cache_creation_input_tokens") : 0;
                            output = message.TryGetProperty("usage", out var mo) ? Long(mo, "output_tokens") : 0;
                            break;
                        case "content_block_start" when data.GetProperty("content_block") is var block && Str(block, "type") == "tool_use":
                            calls[(int)Long(data, "index")] = (Str(block, "id") ?? string.Empty, Str(block, "name") ?? string.Empty, new StringBuilder());
                            break;
                        case "content_block_delta":
                            var delta = data.GetProperty("delta");
                            if (Str(delta, "type") == "text_delta")
                            {
                                text.Append(Str(delta, "text"));
                            }
                            else if (Str(delta, "type") == "input_json_delta" && calls.TryGetValue((int)Long(data, "index"), out var call))
                            {
                                call.Arguments.Append(Str(delta, "partial_json"));
                            }

                            break;
                        case "message_delta" when data.TryGetProperty("usage", out var du):
                            output = Math.Max(output, Long(du, "output_tokens"));
                            break;
                    }

                    continue;
                }

                model ??= Str(data, "model");
                if (data.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    input = Long(usage, "prompt_tokens");
                    output = Long(usage, "completion_tokens");
                }

                foreach (var delta in Items(data, "choices").Select(c => c.TryGetProperty("delta", out var d) ? d : default))
                {
                    text.Append(Str(delta, "content"));
                    foreach (var piece in Items(delta, "tool_calls"))
                    {
                        var index = (int)Long(piece, "index");
                        var function = piece.TryGetProperty("function", out var f) ? f : default;
                        var known = calls.TryGetValue(index, out var call) ? call : (string.Empty, string.Empty, new StringBuilder());
                        calls[index] = (Str(piece, "id") ?? known.Item1, Str(function, "name") ?? known.Item2, known.Item3.Append(Str(function, "arguments")));
                    }
                }
            }

            var body = new JsonObject { ["model"] = model };
            if (anthropic)
            {
                var content = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = text.ToString() } };
                foreach (var call in calls.Values)
                {
                    content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = ParseOrText(call.Arguments.ToString()) });
                }

                body["content"] = content;
                body["usage"] = new JsonObject { ["input_tokens"] = input, ["output_tokens"] = output };
            }
            else
            {
                var toolCalls = new JsonArray();
                foreach (var call in calls.Values)
                {
                    toolCalls.Add(new JsonObject { ["id"] = call.Id, ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.Arguments.ToString() } });
                }

                body["choices"] = new JsonArray { new JsonObject { ["message"] = new JsonObject { ["content"] = text.ToString(), ["tool_calls"] = toolCalls } } };
                body["usage"] = new JsonObject { ["prompt_tokens"] = input, ["completion_tokens"] = output };
            }

            using var document = JsonDocument.Parse(body.ToJsonString());
            return document.RootElement.Clone();
        }

        /// <summary>Streamed tool arguments as JSON; kept as text if the stream was cut off mid-way.</summary>
        private static JsonNode? ParseOrText(string arguments)
        {
            try
            {
                return JsonNode.Parse(arguments.Length == 0 ? "{}" : arguments);
            }
            catch (JsonException)
            {
                return JsonValue.Create(arguments);
            }
        }
    }
}
