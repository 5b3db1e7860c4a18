using System.Net;
using System.Text.Json;
using EvalHarness.Agents.Providers;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Cassettes;

/// <summary>Instances of a cassette (<c>~n/&lt;id&gt;</c>): a load test's concurrent replays of one case, each with its own state.</summary>
public sealed class CassetteInstanceTests : IDisposable
{
    private const string Id = "suite/v/case/t1";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly IReadOnlyList<ScriptedTurn> TwoAnswers = [new() { Text = "first answer" }, new() { Text = "second answer" }];

    private static List<ChatMessage> Question(string text) => [new(ChatRole.System, "Be brief."), new(ChatRole.User, text)];

    /// <summary>Records a cassette of two interactions: "one?" then "two?".</summary>
    private async Task RecordAsync()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(key => key == Id ? TwoAnswers : null, Ct);
        await using var recorder = await CassetteServer.StartAsync(
            new CassetteServerOptions { CassetteDirectory = _temp.Path, Mode = RecordMode.All, Upstream = upstream.UpstreamTemplate, RecordedFrom = "scripted" }, Ct);
        using var client = new OpenAIChatClient(new Uri(recorder.BaseAddressFor(Id), "v1"), "k", "gpt-4o-mini");
        await client.GetResponseAsync(Question("one?"), cancellationToken: Ct);
        await client.GetResponseAsync(Question("two?"), cancellationToken: Ct);
    }

    [Theory]
    [InlineData("~12/suite/v/case/t1", true, 12L, "suite/v/case/t1")]
    [InlineData("~0/a/judge", true, 0L, "a/judge")]
    [InlineData("suite/v/case/t1", false, -1L, "suite/v/case/t1")]
    [InlineData("~x/a", false, -1L, "~x/a")]
    [InlineData("~/a", false, -1L, "~/a")]
    public void TrySplit_Ids_FindTheInstanceAndItsCassette(string id, bool isInstance, long instance, string cassette)
    {
        Assert.Equal(isInstance, CassetteInstance.TrySplit(id, out var n, out var fileId));
        Assert.Equal((instance, cassette), (n, fileId));
        Assert.Equal(cassette, CassetteInstance.FileId(id));
    }

    [Fact]
    public async Task Replay_TwoInstancesInterleaved_EachStartsAtTheFirstInteraction()
    {
        await RecordAsync();
        await using var server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _temp.Path, Instances = true }, Ct);
        var (a, b) = (CassetteInstance.Of(Id, 1), CassetteInstance.Of(Id, 2));
        using var clientA = new OpenAIChatClient(new Uri(server.BaseAddressFor(a), "v1"), "k", "gpt-4o-mini");
        using var clientB = new OpenAIChatClient(new Uri(server.BaseAddressFor(b), "v1"), "k", "gpt-4o-mini");

        var a1 = await clientA.GetResponseAsync(Question("one?"), cancellationToken: Ct);
        var b1 = await clientB.GetResponseAsync(Question("one?"), cancellationToken: Ct);
        var a2 = await clientA.GetResponseAsync(Question("two?"), cancellationToken: Ct);

        Assert.Equal(("first answer", "first answer", "second answer"), (a1.Text, b1.Text, a2.Text));
        Assert.Equal(2, (await server.TakeActivityAsync(a, Ct)).Interactions.Count);
        Assert.Single((await server.TakeActivityAsync(b, Ct)).Interactions);
    }

    [Fact]
    public async Task Replay_InstanceWithoutTheOption_IsNotACassetteUrl()
    {
        await RecordAsync();
        await using var server = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _temp.Path }, Ct);
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(server.BaseAddressFor(CassetteInstance.Of(Id, 1)), "v1/chat/completions"),
            new StringContent(JsonSerializer.Serialize(new { model = "gpt-4o-mini" })), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not a cassette URL", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_InstancesWhileRecording_AreRefused()
    {
        var options = new CassetteServerOptions { CassetteDirectory = _temp.Path, Instances = true, Mode = RecordMode.All, Upstream = "http://127.0.0.1:1/" };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("replay only", error.Message, StringComparison.Ordinal);
    }
}
