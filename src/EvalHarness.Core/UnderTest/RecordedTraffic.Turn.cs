using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;

namespace EvalHarness.Core.UnderTest;

/// <summary>Reading one model call: its request, and its answer whether plain or streamed.</summary>
internal sealed partial record RecordedTraffic
{
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
