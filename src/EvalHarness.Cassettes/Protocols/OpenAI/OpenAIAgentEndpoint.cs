using System.Text.Json;

namespace EvalHarness.Cassettes.Protocols.OpenAI;

/// <summary>
/// The two OpenAI forms an agent host exposes its agent in (a served agent's <c>protocol: openai-chat</c> or
/// <c>openai-responses</c>): the request the harness sends it for a turn, and the answer's text read back.
/// </summary>
public static class OpenAIAgentEndpoint
{
    /// <summary>A Chat Completions request: the whole conversation, <paramref name="systemPrompt"/> first.</summary>
    public static byte[] ChatRequest(string model, string? systemPrompt, IEnumerable<(string Role, string Content)> conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return Write(json =>
        {
            json.WriteString("model", model);
            json.WriteStartArray("messages");
            if (systemPrompt is not null)
            {
                WriteMessage(json, "system", systemPrompt);
            }

            foreach (var (role, content) in conversation)
            {
                WriteMessage(json, role, content);
            }

            json.WriteEndArray();
        });
    }

    /// <summary>The text of a Chat Completions answer (<c>choices[0].message.content</c>), or null when it has none.</summary>
    public static string? ChatAnswer(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array
            && choices.GetArrayLength() > 0 && choices[0].TryGetProperty("message", out var message)
            && message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : null;

    /// <summary>
    /// A Responses request: the conversation whole when it starts (<paramref name="previousResponseId"/> null), else only
    /// the user's new message after <c>previous_response_id</c>.
    /// </summary>
    public static byte[] ResponsesRequest(string model, string? instructions, string? previousResponseId, IReadOnlyList<(string Role, string Content)> conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return Write(json =>
        {
            json.WriteString("model", model);
            if (instructions is not null)
            {
                json.WriteString("instructions", instructions);
            }

            if (previousResponseId is not null)
            {
                json.WriteString("previous_response_id", previousResponseId);
                json.WriteString("input", conversation.Count > 0 ? conversation[^1].Content : string.Empty);
                return;
            }

            json.WriteStartArray("input");
            foreach (var (role, content) in conversation)
            {
                WriteMessage(json, role, content);
            }

            json.WriteEndArray();
        });
    }

    /// <summary>A Responses answer's id (to continue from) and its <c>output_text</c>, joined; null for what it lacks.</summary>
    public static (string? Id, string? Text) ResponsesAnswer(JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }

        var id = answer.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        var texts = new List<string>();
        if (answer.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in output.EnumerateArray())
            {
                if (item.TryGetProperty("type", out var type) && type.ValueEquals("message")
                    && item.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
                {
                    texts.AddRange(content.EnumerateArray()
                        .Where(c => c.TryGetProperty("type", out var t) && t.ValueEquals("output_text") && c.TryGetProperty("text", out var x) && x.ValueKind == JsonValueKind.String)
                        .Select(c => c.GetProperty("text").GetString()!));
                }
            }
        }

        return (id, texts.Count > 0 ? string.Concat(texts) : null);
    }

    private static void WriteMessage(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", content);
        json.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
