using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EvalHarness.Cassettes.Server;

/// <summary>Starts a Kestrel app on 127.0.0.1 with an ephemeral port, quiet, and tells its address.</summary>
internal static class LoopbackHost
{
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(
        Action<WebApplication> map, CancellationToken cancellationToken = default, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64 * 1024 * 1024);
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>Splits <c>{cassette-id}/v1/...</c> into the id and the provider path (<c>v1/...</c>).</summary>
    public static bool TrySplit(string rest, out string cassetteId, out string providerPath)
    {
        var at = rest.IndexOf("/v1/", StringComparison.Ordinal);
        if (at <= 0)
        {
            cassetteId = providerPath = string.Empty;
            return false;
        }

        cassetteId = rest[..at];
        providerPath = rest[(at + 1)..];
        return true;
    }
}
