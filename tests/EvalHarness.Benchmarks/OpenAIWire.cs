using System.Globalization;
using System.Text.Json;
using EvalHarness.Cassettes.Format;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Cassettes in the OpenAI chat-completions wire format, shaped like the example suite's recordings: a support
/// agent's system prompt and six tools; a first turn that answers with a tool call, a second that answers in text.
/// </summary>
internal static class OpenAIWire
{
    public const string Model = "gpt-4o-mini";

    public const string SystemPrompt =
        "You are the customer-support agent of Brightside, an online home-goods shop.\n\n"
        + "- Look an order up before you act on it; never guess its status or total.\n"
        + "- Refund an order only when the customer asks for their money back and the order is not already refunded or cancelled.\n"
        + "- When a customer asks for a confirmation by email, send it with send_email after the action is done.\n"
        + "- Answer briefly and politely, and name the order id and the amount when you refund.";

    private static readonly (string Name, string Description, (string Name, string Type, string Description)[] Parameters)[] Tools =
    [
        ("lookup_order", "Looks up an order by id: customer, item, total and status.", [("order_id", "string", "The order id, e.g. A100")]),
        ("list_orders", "Lists a customer's orders by their email address.", [("customer_email", "string", "The customer's email address")]),
        ("refund_order", "Refunds an order in full. Only for orders that are not already refunded or cancelled.",
            [("order_id", "string", "The order id"), ("reason", "string", "Why the customer wants a refund")]),
        ("issue_credit", "Gives a customer store credit against an order.",
            [("order_id", "string", "The order id"), ("amount", "number", "Store credit in USD"), ("reason", "string", "Why")]),
        ("send_email", "Sends an email to a customer.",
            [("to", "string", "Recipient address"), ("subject", "string", "Subject line"), ("body", "string", "Plain-text body")]),
        ("recall", "Searches long-term memory for facts from earlier conversations.", [("query", "string", "Words to search memory for")]),
    ];

    /// <summary>The first request of a conversation about order <c>A{n}</c>, and its answer: a call to lookup_order.</summary>
    public static Interaction FirstTurn(int n) =>
        Interaction(Request(Messages(n, afterTool: false)), Response(n, toolCall: true));

    /// <summary>The second request (after the lookup's result), and its answer in text.</summary>
    public static Interaction SecondTurn(int n) =>
        Interaction(Request(Messages(n, afterTool: true)), Response(n, toolCall: false));

    /// <summary>The <paramref name="index"/>-th interaction of a long recording: first and second turns of ever new orders.</summary>
    public static Interaction Nth(int index) => index % 2 == 0 ? FirstTurn(index / 2) : SecondTurn(index / 2);

    /// <summary>A cassette of the given interactions, with the metadata a recording writes.</summary>
    public static Cassette Cassette(string id, IReadOnlyList<Interaction> interactions) => new()
    {
        Id = id,
        Provider = "openai",
        RecordedFrom = "scripted",
        Metadata = new CassetteMetadata(new DateTimeOffset(2026, 11, 22, 23, 2, 14, TimeSpan.Zero), "0.1.0", Model, "OpenAI/2.15.0 (.NET 10.0.12; Debian GNU/Linux 12 (bookworm))"),
        Interactions = interactions,
    };

    /// <summary>Writes a cassette as a recording does (<see cref="CassetteStore.Save"/>) and returns its path.</summary>
    public static string Write(CassetteStore store, string id, IReadOnlyList<Interaction> interactions)
    {
        store.Save(Cassette(id, interactions), []);
        return store.PathFor(id);
    }

    /// <summary>A new, empty temporary folder.</summary>
    public static string TempFolder(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"evalh-bench-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The request body as the client sends it: compact JSON.</summary>
    public static byte[] Wire(JsonElement body) => JsonSerializer.SerializeToUtf8Bytes(body);

    private static Interaction Interaction(string request, string response) => new(
        new RecordedRequest("POST", "v1/chat/completions", new Dictionary<string, string> { ["content-type"] = "application/json" }, Parse(request)),
        new RecordedResponse(200, new Dictionary<string, string> { ["content-type"] = "application/json" }, Parse(response)),
        new InteractionTimings(394, 394));

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static string Messages(int n, bool afterTool)
    {
        var messages = new List<object>
        {
            new { role = "system", content = SystemPrompt },
            new { role = "user", content = $"Order A{n} arrived broken, I want my money back." },
        };
        if (afterTool)
        {
            messages.Add(new { role = "assistant", tool_calls = new[] { new { id = CallId(n), type = "function", function = new { name = "lookup_order", arguments = $"{{\"order_id\":\"A{n}\"}}" } } } });
            messages.Add(new { role = "tool", tool_call_id = CallId(n), content = $"{{\"id\":\"A{n}\",\"customer\":\"ana@example.com\",\"total\":42.00,\"status\":\"delivered\",\"item\":\"ceramic mug set\"}}" });
        }

        return JsonSerializer.Serialize(messages);
    }

    private static string Request(string messages)
    {
        var tools = Tools.Select(t => new
        {
            type = "function",
            function = new
            {
                description = t.Description,
                name = t.Name,
                parameters = new
                {
                    type = "object",
                    properties = t.Parameters.ToDictionary(p => p.Name, p => new { description = p.Description, type = p.Type }),
                    required = t.Parameters.Select(p => p.Name).ToArray(),
                },
            },
        });
        return $"{{\"messages\":{messages},\"model\":\"{Model}\",\"tools\":{JsonSerializer.Serialize(tools)}}}";
    }

    private static string Response(int n, bool toolCall)
    {
        object message = toolCall
            ? new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = CallId(n), type = "function", function = new { name = "lookup_order", arguments = $"{{\"order_id\":\"A{n}\"}}" } } } }
            : new { role = "assistant", content = $"I am sorry the order arrived broken: order A{n} is refunded in full, $42.00 goes back to your card within five days." };
        var response = new
        {
            id = $"chatcmpl-{n.ToString("x24", CultureInfo.InvariantCulture)}",
            @object = "chat.completion",
            created = 1767225600,
            model = Model,
            choices = new[] { new { index = 0, message, finish_reason = toolCall ? "tool_calls" : "stop" } },
            usage = new { prompt_tokens = toolCall ? 619 : 708, completion_tokens = toolCall ? 11 : 26, total_tokens = toolCall ? 630 : 734 },
        };
        return JsonSerializer.Serialize(response);
    }

    private static string CallId(int n) => $"call_{n.ToString("x24", CultureInfo.InvariantCulture)}";
}
