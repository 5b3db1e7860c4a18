using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;
using WireMock.Server;

namespace EvalHarness.Tests.Cassettes;

/// <summary>
/// <c>evalh cassettes export --format wiremock</c>: the repository's cassettes, loaded into a real WireMock server, answer
/// every recorded request with the bytes the cassette server replays.
/// </summary>
public sealed class WireMockExportTests : IDisposable
{
    private static readonly JsonSerializerOptions Wire = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<(int Exit, string Output, string Error)> ExportAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Evalh.InvokeAsync(output, error, ["cassettes", "export", "--format", "wiremock", .. args], TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    private static WireMockServer StartWireMock(string exported)
    {
        var server = WireMockUpstream.Start();
        server.ReadStaticMappings(Path.Combine(exported, "mappings"));
        return server;
    }

    private static async Task<(int Status, string? ContentType, byte[] Body)> SendAsync(HttpClient http, Uri url, RecordedRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), url)
        {
            Content = new StringContent(JsonSerializer.Serialize(request.Body, Wire), Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(message, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("support/default/refund-with-email-confirmation/t1")]
    [InlineData("support/streaming/refund-with-email-confirmation/t1")]
    [InlineData("support/haiku/refund-with-email-confirmation/t1")]
    public async Task Export_RepositoryCassette_WireMockAnswersEveryRequestWithTheReplayedBytes(string id)
    {
        var ct = TestContext.Current.CancellationToken;
        var exported = _temp.Combine("wiremock");
        Assert.Equal(0, (await ExportAsync("--cassettes", RepoPaths.Cassettes, "--out", exported)).Exit);
        using var wireMock = StartWireMock(exported);
        await using var replayer = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = RepoPaths.Cassettes }, ct);
        using var http = new HttpClient();
        var cassette = new CassetteStore(RepoPaths.Cassettes).Load(id)!;
        Assert.True(cassette.Interactions.Count >= 2);

        foreach (var interaction in cassette.Interactions)
        {
            var fromWireMock = await SendAsync(http, new Uri($"{wireMock.Url}/c/{id}/{interaction.Request.Path}"), interaction.Request);
            var fromReplay = await SendAsync(http, new Uri(replayer.BaseAddressFor(id), interaction.Request.Path), interaction.Request);

            Assert.Equal((interaction.Response.Status, fromReplay.ContentType), (fromWireMock.Status, fromWireMock.ContentType));
            Assert.Equal(Encoding.UTF8.GetString(fromReplay.Body), Encoding.UTF8.GetString(fromWireMock.Body));
            Assert.Equal(fromReplay.Body, fromWireMock.Body);
        }

        Assert.Contains(cassette.Interactions, i => (i.Response.Events is not null) == id.Contains("/streaming/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_RetryAfterADroppedConnection_ServesAnEmpty502ThenTheRecordedAnswer()
    {
        const string id = "resilience/default/connection-dropped-once/t1";
        var exported = _temp.Combine("wiremock");
        Assert.Equal(0, (await ExportAsync("--cassettes", RepoPaths.Cassettes, "--out", exported)).Exit);
        using var wireMock = StartWireMock(exported);
        using var http = new HttpClient();
        var cassette = new CassetteStore(RepoPaths.Cassettes).Load(id)!;
        var (dropped, retried) = (cassette.Interactions[0], cassette.Interactions[1]);
        Assert.Equal(("reset", JsonSerializer.Serialize(dropped.Request.Body)), (dropped.Response.Fault, JsonSerializer.Serialize(retried.Request.Body)));
        var url = new Uri($"{wireMock.Url}/c/{id}/{dropped.Request.Path}");

        var first = await SendAsync(http, url, dropped.Request);
        var second = await SendAsync(http, url, retried.Request);
        var third = await SendAsync(http, url, retried.Request);
        var changed = await SendAsync(http, url, cassette.Interactions[^1].Request with { Body = JsonDocument.Parse("""{"model":"other"}""").RootElement });

        Assert.Equal((502, 0), (first.Status, first.Body.Length));
        Assert.Equal(WireBytesOf(retried.Response), second.Body);
        Assert.Equal(second.Body, third.Body);
        Assert.Equal(404, changed.Status);
    }

    [Fact]
    public async Task Export_OfASubfolder_KeepsEachCassettesOwnId_InItsUrl()
    {
        var exported = _temp.Combine("wiremock");

        var (exit, output, _) = await ExportAsync("--cassettes", Path.Combine(RepoPaths.Cassettes, "support", "default"), "--out", exported);

        Assert.Equal(0, exit);
        Assert.Contains($"written to {Path.Combine(exported, "mappings")}.", output, StringComparison.Ordinal);
        var urls = Directory.GetFiles(Path.Combine(exported, "mappings"))
            .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("Request").GetProperty("Path").GetProperty("Matchers")[0].GetProperty("Pattern").GetString()!)
            .ToList();
        Assert.Contains("/c/support/default/already-refunded/t1/v1/chat/completions", urls);
        Assert.All(urls, u => Assert.StartsWith("/c/support/default/", u, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_FormatInAnyCase_IsAccepted_AndAnOutThatIsAFile_IsRefusedAsOne()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var file = _temp.Write("afile", "x");

        var upper = await Evalh.InvokeAsync(output, error, ["cassettes", "export", "--format", "WireMock", "--cassettes", RepoPaths.Cassettes, "--out", _temp.Combine("wm")], TestContext.Current.CancellationToken);
        var onFile = await Evalh.InvokeAsync(output, error, ["cassettes", "export", "--format", "wiremock", "--cassettes", RepoPaths.Cassettes, "--out", file], TestContext.Current.CancellationToken);

        Assert.Equal((0, 2), (upper, onFile));
        Assert.Contains($"{file} is a file: --out names the folder to create", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_MissingCassetteFolder_Exits2_AndWritesNothing()
    {
        var exported = _temp.Combine("wiremock");

        var (exit, _, error) = await ExportAsync("--cassettes", _temp.Combine("no-such-folder"), "--out", exported);

        Assert.Equal(2, exit);
        Assert.Contains("no such cassette folder", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(exported));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));
    }

    [Fact]
    public async Task Export_UnreadableCassette_Exits2_AndLeavesNoFolder()
    {
        var cassettes = _temp.Combine("cassettes");
        RepoPaths.CopyTree(Path.Combine(RepoPaths.Cassettes, "support", "default"), Path.Combine(cassettes, "support", "default"));
        _temp.Write("cassettes/support/default/zz-broken.t1.json", "{ \"formatVersion\": 1, \"interactions\": [");
        var exported = _temp.Combine("wiremock");

        var (exit, _, error) = await ExportAsync("--cassettes", cassettes, "--out", exported);

        Assert.Equal(2, exit);
        Assert.Contains("zz-broken.t1.json", error, StringComparison.Ordinal);
        Assert.Contains("Nothing was exported", error, StringComparison.Ordinal);
        Assert.Equal(["cassettes"], Directory.EnumerateFileSystemEntries(_temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Export_OutFolderNotEmpty_Exits2_AndLeavesItAsItWas()
    {
        var kept = _temp.Write("wiremock/mappings/theirs.json", "{}");

        var (exit, _, error) = await ExportAsync("--cassettes", RepoPaths.Cassettes, "--out", _temp.Combine("wiremock"));

        Assert.Equal(2, exit);
        Assert.Contains("not empty", error, StringComparison.Ordinal);
        Assert.Equal([kept], Directory.EnumerateFiles(_temp.Path, "*", SearchOption.AllDirectories));
    }

    private static byte[] WireBytesOf(RecordedResponse response) =>
        response.Body is { } body ? JsonSerializer.SerializeToUtf8Bytes(body) : Encoding.UTF8.GetBytes(response.BodyText ?? string.Empty);
}
