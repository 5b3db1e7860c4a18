using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EvalHarness.Benchmarks;

/// <summary>A bare Kestrel app on 127.0.0.1 and an ephemeral port, configured as the cassette server's host is.</summary>
internal static class Loopback
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>One client per endpoint, as the runner has: pooled connections, no proxy.</summary>
    public static HttpClient Client() => new(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 512 });

    /// <summary>POSTs a JSON body and returns the length of the answer; anything but a success throws.</summary>
    public static async Task<int> PostAsync(HttpClient client, Uri url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var response = await client.PostAsync(url, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode
            ? bytes.Length
            : throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}");
    }
}
