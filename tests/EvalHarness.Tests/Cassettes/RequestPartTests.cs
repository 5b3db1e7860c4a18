using System.Text.Json;
using EvalHarness.Cassettes.Matching;
using EvalHarness.Cassettes.Protocols;

namespace EvalHarness.Tests.Cassettes;

/// <summary>What a miss's JSON path is, in words: a tool's result by the tool's name, in either provider's shape.</summary>
public sealed class RequestPartTests
{
    private static readonly JsonElement Chat = JsonDocument.Parse("""
        {"model":"gpt-4o-mini","messages":[
          {"role":"system","content":"You are a support agent."},
          {"role":"user","content":"Refund A100"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup_order","arguments":"{}"}},{"id":"call_2","type":"function","function":{"name":"refund_order","arguments":"{}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"{\"status\":\"delivered\"}"},
          {"role":"tool","tool_call_id":"call_2","content":"{\"refunded\":true}"}],
         "tools":[]}
        """).RootElement;

    private static readonly JsonElement Messages = JsonDocument.Parse("""
        {"model":"claude-haiku-4-5","system":"You are a support agent.","messages":[
          {"role":"user","content":"Refund A100"},
          {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"refund_order","input":{}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"{\"refunded\":true}"}]}]}
        """).RootElement;

    [Theory]
    [InlineData("$.messages[4].content", "the result of tool 'refund_order'", true)]
    [InlineData("$.messages[3].content", "the result of tool 'lookup_order'", true)]
    [InlineData("$.messages[0].content", "the system prompt", false)]
    [InlineData("$.messages[1].content", "the user's message (message 2)", false)]
    [InlineData("$.messages[2].tool_calls[1].function.arguments", "the agent's earlier reply (message 3)", false)]
    [InlineData("$.tools", "the tools' definitions", false)]
    public void Describe_ChatCompletionsRequest_NamesThePart(string path, string words, bool toolResult) =>
        Assert.Equal(new RequestPartKind(words, toolResult), RequestPart.Describe(Chat, path, WireProtocols.OpenAICompatible));

    [Theory]
    [InlineData("$.messages[2].content[0].content", "the result of tool 'refund_order'", true)]
    [InlineData("$.system", "the system prompt", false)]
    [InlineData("$.messages[0].content", "the user's message (message 1)", false)]
    public void Describe_MessagesRequest_NamesThePart(string path, string words, bool toolResult) =>
        Assert.Equal(new RequestPartKind(words, toolResult), RequestPart.Describe(Messages, path, WireProtocols.Find("anthropic")!));

    [Theory]
    [InlineData("$.model")]
    [InlineData("$.messages[9].content")]
    public void Describe_NothingMoreTellingThanThePath_IsNull(string path) => Assert.Null(RequestPart.Describe(Chat, path, WireProtocols.OpenAICompatible));
}
