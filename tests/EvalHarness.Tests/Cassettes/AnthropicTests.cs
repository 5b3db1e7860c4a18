using System.Text.Json;
using EvalHarness.Agents.Providers;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Cassettes;

/// <summary>The Anthropic Messages API through the cassette server, driven by the official Anthropic SDK's IChatClient.</summary>
public sealed class AnthropicTests : IDisposable
{
    private const string Key = "sk-ant-api03-test-not-a-real-key-0000";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly IReadOnlyList<ScriptedTurn> Script =
    [
        new() { Text = "Let me look.", ToolCalls = [new ScriptedToolCall("lookup_order", JsonDocument.Parse("""{"order_id":"A1"}""").RootElement)] },
        new() { Text = "Order A1 has shipped and will arrive on Tuesday." },
    ];

    private static readonly AIFunction Lookup = AIFunctionFactory.Create((string order_id) => "shipped", "lookup_order", "Looks up an order.");

    private async Task<(ChatResponse First, ChatResponse Second)> ConverseAsync(CassetteServer server, string id, bool streaming)
    {
        using var client = AnthropicChatClientFactory.Create(server.BaseAddressFor(id), Key, "claude-haiku-4-5");
        var options = new ChatOptions { Tools = [Lookup] };
        List<ChatMessage> messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Where is A1?")];
        async Task<ChatResponse> AskAsync() => streaming
            ? (await client.GetStreamingResponseAsync(messages, options, Ct).ToListAsync(Ct)).ToChatResponse()
            : await client.GetResponseAsync(messages, options, Ct);

        var first = await AskAsync();
        messages.AddRange(first.Messages);
        var call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "shipped")]));
        return (first, await AskAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RecordThenReplay_AnthropicSdk_GivesIdenticalToolCallsTextAndUsage(bool streaming)
    {
        var id = $"suite/v/anthropic-{(streaming ? "stream" : "plain")}/t1";
        (ChatResponse First, ChatResponse Second) live;
        await using (var upstream = await ScriptedUpstream.StartAsync(_ => Script, Ct))
        await using (var recorder = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _temp.Path, Mode = RecordMode.All, Upstream = upstream.UpstreamTemplate }, Ct))
        {
            live = await ConverseAsync(recorder, id, streaming);
        }

        await using var replayer = await CassetteServer.StartAsync(new CassetteServerOptions { CassetteDirectory = _temp.Path }, Ct);
        var replay = await ConverseAsync(replayer, id, streaming);
        var cassette = new CassetteStore(_temp.Path).Load(id)!;
        var text = await File.ReadAllTextAsync(new CassetteStore(_temp.Path).PathFor(id), Ct);

        foreach (var (first, second) in new[] { live, replay })
        {
            var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
            Assert.Equal(("lookup_order", "A1"), (call.Name, call.Arguments!["order_id"]!.ToString()));
            Assert.Equal("Order A1 has shipped and will arrive on Tuesday.", second.Text);
            Assert.True(second.Usage!.InputTokenCount > 0 && second.Usage.OutputTokenCount > 0);
        }

        Assert.Equal(live.First.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().CallId,
            replay.First.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().CallId);
        Assert.Equal(live.Second.Usage!.OutputTokenCount, replay.Second.Usage!.OutputTokenCount);
        Assert.Equal(("anthropic", "claude-haiku-4-5"), (cassette.Provider, cassette.Metadata!.Model));
        Assert.Equal("v1/messages", cassette.Interactions[0].Request.Path);
        Assert.Equal("2023-06-01", cassette.Interactions[0].Request.Headers["anthropic-version"]);
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.DoesNotContain("x-api-key", text, StringComparison.OrdinalIgnoreCase);
        if (streaming)
        {
            Assert.Equal(
                ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
                cassette.Interactions[1].Response.Events!.Select(e => e.Event).Distinct());
        }
    }
}
