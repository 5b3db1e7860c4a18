using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace EvalHarness.Tests.Support;

/// <summary>The team's real tool servers: an inventory MCP server whose stock changes, and a prices API.</summary>
/// <summary>A team's real tool servers for tests: an inventory MCP server (the official C# SDK, streamable HTTP) whose stock changes, and a prices API.</summary>
internal sealed class RealToolServers : IAsyncDisposable
{
    private WebApplication _mcp = null!;
    private WebApplication _api = null!;

    public int InStock { get; set; } = 3;

    public List<string> ApiRequests { get; } = [];

    public string? KeyHeaderSeen { get; private set; }

    public Uri McpUrl { get; private set; } = null!;

    public Uri ApiUrl { get; private set; } = null!;

    public TimeSpan ApiDelay { get; set; }

    public static async Task<RealToolServers> StartAsync(CancellationToken ct)
    {
        var servers = new RealToolServers();
        var mcp = WebApplication.CreateSlimBuilder();
        mcp.WebHost.UseUrls("http://127.0.0.1:0");
        mcp.Logging.ClearProviders();
        mcp.Services.AddMcpServer().WithHttpTransport().WithTools(
        [
            McpServerTool.Create((string sku) => JsonSerializer.Serialize(new { sku, in_stock = servers.InStock }), new() { Name = "check_stock", Description = "Units in stock for a SKU." }),
            McpServerTool.Create((string sku) => sku == "BAD" ? throw new McpException("no such SKU: BAD") : "ok", new() { Name = "reserve", Description = "Reserves a unit." }),
            McpServerTool.Create(async (string sku, CancellationToken ct) => { await Task.Delay(TimeSpan.FromSeconds(10), ct); return "late"; }, new() { Name = "recount", Description = "Counts the shelf again (slowly)." }),
        ]);
        servers._mcp = mcp.Build();
        servers._mcp.MapMcp("/mcp");
        await servers._mcp.StartAsync(ct);
        servers.McpUrl = new Uri(Address(servers._mcp) + "/mcp");

        var api = WebApplication.CreateSlimBuilder();
        api.WebHost.UseUrls("http://127.0.0.1:0");
        api.Logging.ClearProviders();
        servers._api = api.Build();
        servers._api.MapGet("/v2/price", async (HttpContext context) =>
        {
            servers.ApiRequests.Add(context.Request.Path + context.Request.QueryString);
            servers.KeyHeaderSeen = context.Request.Headers["x-api-key"];
            await Task.Delay(servers.ApiDelay, context.RequestAborted);
            return Results.Json(new { sku = context.Request.Query["sku"].ToString(), price = 12.5, echo = context.Request.Query["apikey"].ToString() });
        });
        servers._api.MapGet("/v2/broken", () => Results.Problem("the price database is down", statusCode: 503));
        await servers._api.StartAsync(ct);
        servers.ApiUrl = new Uri(Address(servers._api) + "/v2");
        return servers;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    /// <summary>The suite's view of both servers; <paramref name="timeout"/> is how long a recording waits for either.</summary>
    public IReadOnlyList<ToolServer> Config(string apiKey, TimeSpan? timeout = null) =>
    [
        new ToolServer { Name = "inventory", Kind = ToolKinds.Mcp, Url = McpUrl, Timeout = timeout ?? TimeSpan.FromSeconds(30) },
        new ToolServer
        {
            Name = "prices",
            Kind = ToolKinds.Http,
            Url = ApiUrl,
            Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["x-api-key"] = apiKey },
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        },
    ];

    public async ValueTask DisposeAsync()
    {
        await _mcp.DisposeAsync();
        await _api.DisposeAsync();
    }
}
