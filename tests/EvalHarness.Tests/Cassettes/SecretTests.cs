using System.Net;
using System.Text;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Secrets;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EvalHarness.Tests.Cassettes;

/// <summary>Keys planted in headers, query strings and bodies never reach a cassette file.</summary>
public sealed class SecretTests : IAsyncLifetime
{
    private const string LiveKey = "sk-live-0123456789abcdefghijKLMN";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();
    private readonly HttpClient _http = new();
    private readonly List<(string Authorization, string Query)> _seen = [];
    private WebApplication _upstream = null!;
    private Uri _upstreamAddress = null!;

    public async ValueTask InitializeAsync()
    {
        // A provider that sets a cookie and echoes nothing secret: a stand-in with the real wire shape.
        (_upstream, _upstreamAddress) = await LoopbackHostAccess.StartAsync(app => app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            lock (_seen)
            {
                _seen.Add((context.Request.Headers.Authorization.ToString(), context.Request.QueryString.Value ?? string.Empty));
            }

            context.Response.Headers.SetCookie = "session=abc123secretcookie; HttpOnly";
            context.Response.Headers["openai-organization"] = "org-secret-123";
            context.Response.Headers["x-request-id"] = "req_0123456789";
            // ?echo=<header> plays a provider that repeats a request header in its answer (a debugging proxy, a bad gateway).
            // ?echo_query=1 plays one that repeats the address it was called at (an error page, a debugging echo).
            var content = context.Request.Query["echo"] is [{ } echoed] ? $"you sent {context.Request.Headers[echoed]}"
                : context.Request.Query.ContainsKey("echo_query") ? $"you asked for {context.Request.Path}{context.Request.QueryString}"
                : "ok";
            if (context.Request.Query["stream"] == "1")
            {
                context.Response.ContentType = "text/event-stream";
                await context.Response.WriteAsync($$"""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"{{content}}"},"finish_reason":null}]}""" + "\n\n", Ct);
                await context.Response.WriteAsync("data: [DONE]\n\n", Ct);
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"{{content}}"},"finish_reason":"stop"}]}""", Ct);
        }), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _http.Dispose();
        _temp.Dispose();
    }

    private Task<CassetteServer> StartAsync(RecordMode mode, params Scrubber[] scrubbers) => CassetteServer.StartAsync(new CassetteServerOptions
    {
        CassetteDirectory = _temp.Path,
        Mode = mode,
        Upstream = mode == RecordMode.None ? null : _upstreamAddress.ToString(),
        Scrubbers = scrubbers,
    }, Ct);

    private async Task<HttpResponseMessage> PostAsync(CassetteServer server, string id, string body, string query = "", bool headers = true, params (string Name, string Value)[] extra)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseAddressFor(id), "v1/chat/completions" + query))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (headers)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {LiveKey}");
            request.Headers.TryAddWithoutValidation("x-api-key", LiveKey);
            request.Headers.TryAddWithoutValidation("api-key", LiveKey);
            request.Headers.TryAddWithoutValidation("OpenAI-Organization", "org-secret-123");
            request.Headers.TryAddWithoutValidation("OpenAI-Project", "proj-secret-456");
            request.Headers.TryAddWithoutValidation("Cookie", "session=abc123secretcookie");
        }

        foreach (var (name, value) in extra)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await _http.SendAsync(request, Ct);
    }

    private string FileOf(string id) => new CassetteStore(_temp.Path).PathFor(id);

    [Fact]
    public async Task Record_UpstreamResponseHeaders_ReachTheClientButNotTheFile()
    {
        await using var server = await StartAsync(RecordMode.All);

        using var response = await PostAsync(server, "s/v/request-id/t1", """{"model":"m","messages":[]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("req_0123456789", Assert.Single(response.Headers.GetValues("x-request-id")));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("req_0123456789", await File.ReadAllTextAsync(FileOf("s/v/request-id/t1"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialHeaders_GoUpstreamButNeverIntoTheFile()
    {
        await using var server = await StartAsync(RecordMode.All);

        using var response = await PostAsync(server, "s/v/h/t1", """{"model":"m","messages":[{"role":"user","content":"hi"}]}""");
        var text = await File.ReadAllTextAsync(FileOf("s/v/h/t1"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"Bearer {LiveKey}", Assert.Single(_seen).Authorization);
        foreach (var secret in new[] { LiveKey, "org-secret-123", "proj-secret-456", "abc123secretcookie", "authorization", "cookie", "x-api-key" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task KeyInTheQueryString_GoesUpstreamButIsScrubbedInTheFile()
    {
        await using var server = await StartAsync(RecordMode.All);

        using var response = await PostAsync(server, "s/v/q/t1", """{"model":"m"}""", $"?api-version=2024-10-21&api-key={LiveKey}", headers: false);
        var cassette = CassetteStore.Read(FileOf("s/v/q/t1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(LiveKey, Assert.Single(_seen).Query, StringComparison.Ordinal);
        Assert.Equal("v1/chat/completions?api-version=2024-10-21&api-key=[scrubbed]", cassette.Interactions[0].Request.Path);
        Assert.DoesNotContain(LiveKey, await File.ReadAllTextAsync(FileOf("s/v/q/t1"), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveKeyInTheBody_RefusesTheWriteAndLeavesNoFile()
    {
        await using var server = await StartAsync(RecordMode.All);

        using var response = await PostAsync(server, "s/v/b/t1", $$"""{"model":"m","messages":[{"role":"user","content":"my key is {{LiveKey}}"}]}""");
        var miss = Assert.Single((await server.TakeActivityAsync("s/v/b/t1", Ct)).Misses);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("contains the live API key", miss.Message, StringComparison.Ordinal);
        Assert.Contains("cassettes.scrub", miss.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(FileOf("s/v/b/t1")));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", "a GitHub token")]
    [InlineData("AKIAABCDEFGHIJKLMNOP", "an AWS access key")]
    [InlineData("sk-ant-api03-abcdefghijklmnopqrstuvwx", "an Anthropic API key")]
    public async Task KeyShapedTextInTheBody_IsRefusedEvenWhenNotTheLiveKey(string planted, string shape)
    {
        await using var server = await StartAsync(RecordMode.All);

        using var response = await PostAsync(server, "s/v/k/t1", $$"""{"model":"m","messages":[{"role":"user","content":"use {{planted}}"}]}""", headers: false);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains($"what looks like {shape}", Assert.Single((await server.TakeActivityAsync("s/v/k/t1", Ct)).Misses).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(FileOf("s/v/k/t1")));
    }

    [Fact]
    public async Task BodyScrubber_WritesTheScrubbedText_AndReplayStillMatches()
    {
        var scrubber = Scrubber.Create(@"sk-live-[A-Za-z0-9]+", "[scrubbed-key]");
        var body = $$"""{"model":"m","messages":[{"role":"user","content":"my key is {{LiveKey}}"}]}""";
        await using (var recorder = await StartAsync(RecordMode.All, scrubber))
        {
            using var recorded = await PostAsync(recorder, "s/v/s/t1", body);
            Assert.True(recorded.StatusCode == HttpStatusCode.OK, await recorded.Content.ReadAsStringAsync(Ct));
        }

        await using var replayer = await StartAsync(RecordMode.None, scrubber);
        using var replayed = await PostAsync(replayer, "s/v/s/t1", body);
        var text = await File.ReadAllTextAsync(FileOf("s/v/s/t1"), Ct);

        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Contains("my key is [scrubbed-key]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(LiveKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrubber_BadPattern_FailsWhenBuilt() =>
        Assert.Contains("not a valid regular expression", Assert.Throws<ArgumentException>(() => Scrubber.Create("([")).Message, StringComparison.Ordinal);

    /// <summary>An Azure OpenAI key: 32 hex digits, no shape a scanner would know.</summary>
    private const string AzureKey = "3f9a0c1e5b7d4a2f8e6c0b1d9a7f5e3c";

    [Theory]
    [InlineData("api-key")]
    [InlineData("x-goog-api-key")]
    [InlineData("OpenAI-Project")]
    public async Task CredentialHeaderEchoedByTheUpstream_RefusesTheWriteAsTheLiveKey(string header)
    {
        await using var server = await StartAsync(RecordMode.All);

        using var response = await PostAsync(server, "s/v/e/t1", """{"model":"m"}""", $"?echo={header}", headers: false, (header, AzureKey));
        var miss = Assert.Single((await server.TakeActivityAsync("s/v/e/t1", Ct)).Misses);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("contains the live API key", miss.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(FileOf("s/v/e/t1")));
    }

    [Fact]
    public async Task CredentialLookingQueryParameters_AreScrubbedInTheFile()
    {
        await using var server = await StartAsync(RecordMode.All);

        using var response = await PostAsync(server, "s/v/p/t1", """{"model":"m"}""", "?api-version=2024-10-21&secret=s3cr3t-value&password=hunter2-value&client_secret=cl13nt-value", headers: false);
        var text = await File.ReadAllTextAsync(FileOf("s/v/p/t1"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("v1/chat/completions?api-version=2024-10-21&secret=[scrubbed]&password=[scrubbed]&client_secret=[scrubbed]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("-value", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("secret", "s3cr3t-value-0123")]
    [InlineData("password", "hunter2-value-0123")]
    [InlineData("client_secret", "cl13nt%2Fvalue-0123")]
    [InlineData("access_token", "t0ken-value-0123")]
    public async Task CredentialQueryParameterEchoedByTheUpstream_RefusesTheWriteAsTheLiveKey(string name, string value)
    {
        await using var server = await StartAsync(RecordMode.All);

        using var response = await PostAsync(server, "s/v/eq/t1", """{"model":"m"}""", $"?api-version=2024-10-21&echo_query=1&{name}={value}", headers: false);

        Assert.False(File.Exists(FileOf("s/v/eq/t1")), $"The cassette was written with the echoed {name}: {(File.Exists(FileOf("s/v/eq/t1")) ? await File.ReadAllTextAsync(FileOf("s/v/eq/t1"), Ct) : null)}");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("contains the live API key", Assert.Single((await server.TakeActivityAsync("s/v/eq/t1", Ct)).Misses).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyInTheUserAgent_IsScrubbedInTheMetadata()
    {
        await using var server = await StartAsync(RecordMode.All);
        var userAgent = $"support-bot/2.1 (key {AzureKey}; ci ghp_0123456789abcdefghijklmnopqrstuvwxyzAB) OpenAI/2.15.0";

        using var response = await PostAsync(server, "s/v/u/t1", """{"model":"m"}""", headers: false, extra: [("api-key", AzureKey), ("User-Agent", userAgent)]);
        var cassette = CassetteStore.Read(FileOf("s/v/u/t1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("support-bot/2.1 (key [scrubbed]; ci [scrubbed]) OpenAI/2.15.0", cassette.Metadata!.UserAgent);
    }

    [Fact]
    public async Task StreamedAnswerWithTheLiveKey_IsNotWritten_AndTheClientGetsAnErrorEvent()
    {
        await using var server = await StartAsync(RecordMode.All);

        using var response = await PostAsync(server, "s/v/z/t1", """{"model":"m","stream":true}""", "?stream=1&echo=api-key", headers: false, ("api-key", AzureKey));
        var stream = await response.Content.ReadAsStringAsync(Ct);

        Assert.False(File.Exists(FileOf("s/v/z/t1")));
        Assert.Contains("contains the live API key", Assert.Single((await server.TakeActivityAsync("s/v/z/t1", Ct)).Misses).Message, StringComparison.Ordinal);
        var error = stream[stream.IndexOf("event: error", StringComparison.Ordinal)..];
        Assert.Contains("\"type\":\"evalh_cassette_not_written\"", error, StringComparison.Ordinal);
        Assert.Contains("contains the live API key", error, StringComparison.Ordinal);
    }
}
