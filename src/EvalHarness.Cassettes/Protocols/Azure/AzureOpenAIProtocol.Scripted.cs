using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Protocols.OpenAI;
using EvalHarness.Cassettes.Scripted;

namespace EvalHarness.Cassettes.Protocols.Azure;

/// <summary>
/// The scripted upstream's answers as Azure gives them: OpenAI's Chat Completions with Azure's content filter results
/// (<c>prompt_filter_results</c>), a stream that opens with a chunk of no choices holding them, and Azure's error shape.
/// </summary>
internal sealed partial class AzureOpenAIProtocol
{
    internal override byte[] ScriptedAnswer(ScriptedReply reply)
    {
        var answer = JsonNode.Parse(OpenAIProtocol.Instance.ScriptedAnswer(reply))!.AsObject();
        answer.Insert(4, "prompt_filter_results", PromptFilterResults());
        return Encoding.UTF8.GetBytes(answer.ToJsonString());
    }

    internal override List<(string? Event, string Data)> ScriptedEvents(ScriptedReply reply)
    {
        // Azure's stream starts with the prompt's filter results, in a chunk with no choices, no id and no model.
        var first = new JsonObject
        {
            ["choices"] = new JsonArray(),
            ["created"] = 0,
            ["id"] = string.Empty,
            ["model"] = string.Empty,
            ["object"] = string.Empty,
            ["prompt_filter_results"] = PromptFilterResults(),
        };
        return [(null, first.ToJsonString()), .. OpenAIProtocol.Instance.ScriptedEvents(reply)];
    }

    /// <summary>Azure's error: <c>{"error":{"code":"429","message":…}}</c>, the code a string of the status.</summary>
    internal override byte[] ErrorBody(int status, string message) => ScriptedWire.Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("code", status.ToString(CultureInfo.InvariantCulture));
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    internal override string MalformedAnswer(ScriptedReply reply) => OpenAIProtocol.Instance.MalformedAnswer(reply);

    /// <summary>The prompt's content filter results, every category safe.</summary>
    private static JsonArray PromptFilterResults()
    {
        var results = new JsonObject();
        foreach (var category in new[] { "hate", "self_harm", "sexual", "violence" })
        {
            results[category] = new JsonObject { ["filtered"] = false, ["severity"] = "safe" };
        }

        results["jailbreak"] = new JsonObject { ["filtered"] = false, ["detected"] = false };
        return [new JsonObject { ["prompt_index"] = 0, ["content_filter_results"] = results }];
    }
}
