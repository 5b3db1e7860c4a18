using System.ClientModel;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using OpenAI;
using StockDesk;

// A shop's stock assistant, served over HTTP: POST /chat { "message", "session_id"? } → { "reply", "session_id", "state" }.
// The model is reached with the official OpenAI SDK at OPENAI_BASE_URL (the SDK's default endpoint when unset).
var builder = WebApplication.CreateBuilder(args);
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

var config = builder.Configuration;
var apiKey = config["OPENAI_API_KEY"] ?? throw new InvalidOperationException("Set OPENAI_API_KEY.");
var options = new OpenAIClientOptions();
if (config["OPENAI_BASE_URL"] is { Length: > 0 } baseUrl)
{
    options.Endpoint = new Uri(baseUrl);
}

IChatClient model = new OpenAIClient(new ApiKeyCredential(apiKey), options)
    .GetChatClient(config["EVALH_MODEL"] ?? config["Model"] ?? "gpt-4o-mini")
    .AsIChatClient();

AIAgent agent = new ChatClientAgent(
    model,
    instructions: "You are the stock desk of an outdoor shop. Answer questions about products with check_stock; never guess stock levels. Answer in one or two short sentences.",
    name: "stock-desk",
    tools: [AIFunctionFactory.Create(Inventory.CheckStock, "check_stock")]);
builder.Services.AddSingleton(new Sessions(agent));

var app = builder.Build();

app.MapGet("/health", () => Results.Ok(new { status = "ok" }));

app.MapPost("/chat", async (ChatRequest request, Sessions sessions, CancellationToken cancellationToken) =>
{
    if (string.IsNullOrWhiteSpace(request.Message))
    {
        return Results.BadRequest(new { error = "message is required" });
    }

    var (id, conversation) = await sessions.OpenAsync(request.SessionId, cancellationToken);
    await conversation.Turn.WaitAsync(cancellationToken);
    try
    {
        var response = await agent.RunAsync(request.Message, conversation.Session, cancellationToken: cancellationToken);
        conversation.Turns++;
        var checkedSkus = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()
            .Select(call => call.Arguments is { } arguments && arguments.TryGetValue("sku", out var sku) ? sku?.ToString() : null)
            .OfType<string>().ToList();
        return Results.Ok(new ChatReply(response.Text, id, new Dictionary<string, object>
        {
            ["turns"] = conversation.Turns,
            ["checked_skus"] = checkedSkus,
        }));
    }
    finally
    {
        conversation.Turn.Release();
    }
});

app.Run();

internal sealed record ChatRequest(string Message, string? SessionId);

internal sealed record ChatReply(string Reply, string SessionId, IReadOnlyDictionary<string, object> State);
