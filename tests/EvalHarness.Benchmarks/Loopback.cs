using System.Net.Http.Headers;
using EvalHarness.Cassettes.Server;
using Microsoft.AspNetCore.Builder;

namespace EvalHarness.Benchmarks;

/// <summary>A bare Kestrel app on 127.0.0.1 and an ephemeral port, hosted as the cassette server is (<see cref="LoopbackHost"/>).</summary>
internal static class Loopback
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static Task<(WebApplication App, Uri BaseAddress)> StartAsync(Action<WebApplication> map) => LoopbackHost.StartAsync(map);

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
