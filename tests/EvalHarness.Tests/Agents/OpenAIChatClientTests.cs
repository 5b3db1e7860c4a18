using EvalHarness.Agents.Providers;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Agents;

public sealed class OpenAIChatClientTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ClientsSharingOnePipeline_EachReachTheirOwnEndpoint_WithTheSdksHeaders()
    {
        await using var upstream = await ScriptedUpstream.StartAsync((id, _) => [new() { Text = $"This is {id}." }], Ct);
        await using var recorder = await CassetteServer.StartAsync(new CassetteServerOptions
        {
            CassetteDirectory = _temp.Path,
            Mode = RecordMode.All,
            Upstream = upstream.UpstreamTemplate,
            RecordedFrom = "scripted",
        }, Ct);
        using var http = new HttpClient();
        var pipeline = OpenAIChatClient.Pipeline("test-key", http);

        using var first = new OpenAIChatClient(new Uri(recorder.BaseAddressFor("s/v/first/t1"), "v1"), pipeline, "gpt-4o-mini");
        using var second = new OpenAIChatClient(new Uri(recorder.BaseAddressFor("s/v/second/t1"), "v1"), pipeline, "gpt-4o-mini");
        var a = await first.GetResponseAsync([new ChatMessage(ChatRole.User, "Who are you?")], cancellationToken: Ct);
        var b = await second.GetResponseAsync([new ChatMessage(ChatRole.User, "Who are you?")], cancellationToken: Ct);

        Assert.Equal(("This is s/v/first/t1.", "This is s/v/second/t1."), (a.Text, b.Text));
        var store = new CassetteStore(_temp.Path);
        foreach (var id in (string[])["s/v/first/t1", "s/v/second/t1"])
        {
            Assert.StartsWith("OpenAI/", store.Load(id)!.Metadata!.UserAgent, StringComparison.Ordinal);
        }
    }
}
