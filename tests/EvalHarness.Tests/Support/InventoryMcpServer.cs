using System.Collections.Concurrent;
using System.ComponentModel;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace EvalHarness.Tests.Support;

/// <summary>
/// A real streamable HTTP MCP server (the official SDK on Kestrel, 127.0.0.1, port 0) with a tool, <c>check_stock</c>,
/// that notes each SKU it is asked for, and another that asks the client a question (elicitation); it notes each
/// <c>X-Inventory-Key</c> header it is sent.
/// </summary>
public sealed class InventoryMcpServer : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>
    /// The MCP endpoint, <c>http://127.0.0.1:&lt;port&gt;/mcp</c>, with sessions: a client that tries the <c>2026-07-28</c>
    /// revision first is refused and falls back to <c>initialize</c>, and the server may ask the client questions.
    /// </summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The SKUs check_stock was called with.</summary>
    public ConcurrentQueue<string> Skus { get; } = new();

    /// <summary>The <c>X-Inventory-Key</c> headers the endpoint received.</summary>
    public ConcurrentQueue<string> Keys { get; } = new();

    /// <summary>While set, check_stock calls wait until it is released.</summary>
    public CallHold? Hold { get; set; }

    [McpServerTool(Name = "check_stock"), Description("How many units of a SKU are in stock.")]
    public async Task<string> CheckStock(
        [Description("The SKU, e.g. MUG-01.")] string sku, RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        Skus.Enqueue(sku);
        if (Hold is { } hold)
        {
            hold.Entered.TrySetResult(sku);
            await hold.Released.Task.WaitAsync(cancellationToken);
        }

        // Sent, and awaited, on the call's SSE stream before its answer.
        if (context.Params?.ProgressToken is { } token)
        {
            await context.Server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = 1, Total = 1, Message = $"counted {sku}" },
                cancellationToken: cancellationToken);
        }

        return JsonSerializer.Serialize(new { sku, in_stock = 3 });
    }

    /// <summary>A tool that asks the client a question of its own (elicitation/create) before it answers.</summary>
    [McpServerTool(Name = "stock_location"), Description("Which warehouse holds a SKU, as the user says.")]
    public static async Task<string> StockLocation(string sku, RequestContext<CallToolRequestParams> context, CancellationToken cancellationToken)
    {
        var answer = await context.Server.ElicitAsync(new ElicitRequestParams
        {
            Message = $"Which warehouse holds {sku}?",
            RequestedSchema = new()
            {
                Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition> { ["warehouse"] = new ElicitRequestParams.StringSchema() },
            },
        }, cancellationToken);
        return answer.IsAccepted && answer.Content?.TryGetValue("warehouse", out var warehouse) == true ? warehouse.GetString()! : "(declined)";
    }

    public async ValueTask InitializeAsync()
    {
        (_app, Endpoint) = await StartAsync(HttpServerSessionMode.Stateful);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task<(WebApplication App, Uri Endpoint)> StartAsync(HttpServerSessionMode mode)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddMcpServer().WithHttpTransport(o => o.SessionMode = mode).WithTools(this);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.TryGetValue("X-Inventory-Key", out var key))
            {
                Keys.Enqueue(key.ToString());
            }

            await next();
        });
        app.MapMcp("/mcp");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.TrimEnd('/') + "/mcp"));
    }

    /// <summary>Holds check_stock calls: <see cref="Entered"/> completes with the SKU when one waits, which goes on once <see cref="Released"/> completes.</summary>
    public sealed class CallHold
    {
        public TaskCompletionSource<string> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
