using WireMock.Server;
using WireMock.Settings;

namespace EvalHarness.Tests.Support;

/// <summary>WireMock.Net as a programmable fake upstream: odd answers, faults and delays without a hand-written server.</summary>
internal static class WireMockUpstream
{
    /// <summary>A WireMock server on a free port of 127.0.0.1, with no mappings yet.</summary>
    public static WireMockServer Start() => WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });

    /// <summary>The server's base address, with the trailing slash a base URL needs.</summary>
    public static Uri BaseAddress(this WireMockServer server) => new($"{server.Url}/");
}
