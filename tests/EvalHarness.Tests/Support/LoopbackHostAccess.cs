using Microsoft.AspNetCore.Builder;

namespace EvalHarness.Tests.Support;

/// <summary>The harness's own loopback Kestrel starter, for test upstreams.</summary>
internal static class LoopbackHostAccess
{
    public static Task<(WebApplication App, Uri BaseAddress)> StartAsync(Action<WebApplication> map, CancellationToken cancellationToken) =>
        EvalHarness.Cassettes.Server.LoopbackHost.StartAsync(map, cancellationToken);
}
