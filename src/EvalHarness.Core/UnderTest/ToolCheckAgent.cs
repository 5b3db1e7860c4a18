using System.Net.Http.Json;
using System.Text.Json;
using EvalHarness.Core.Suites;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// A scenario's <c>call</c>: one direct call of a tool server through the case's address, no model. Its answer is the
/// output (and, when it is JSON, the state), and the call is the run's one tool call, so <c>expect</c> scores it as it
/// would an agent's.
/// </summary>
internal sealed class ToolCheckAgent(ToolCheck call) : IAgentUnderTest
{
    public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
    {
        var (text, isError, status) = call.Tool is { } tool ? await McpAsync(agentCase, tool, cancellationToken) : await HttpAsync(agentCase, cancellationToken);
        // An error answer is data to assert (counters: { tool_errors: 1 }, or an API's http_status: 404), not the case's failure.
        var counters = new Dictionary<string, int>(StringComparer.Ordinal) { ["tool_errors"] = isError ? 1 : 0 };
        if (status is { } code)
        {
            counters["http_status"] = code;
        }

        var arguments = call.Arguments is { } args ? args.GetRawText() : ToolTraffic.HttpArguments(call.Path!, call.Body);
        return new AgentReport
        {
            Output = text,
            Outcome = Outcomes.Completed,
            Reason = $"{call.Name} answered{(isError ? " with an error" : string.Empty)}.",
            ToolCalls = [new ToolCallResult(0, call.Name, arguments, text, isError, isError ? "error" : "ok", $"{call.Kind}:{call.Server}")],
            Steps = 0,
            InputTokens = 0,
            OutputTokens = 0,
            CostUsd = 0m,
            State = State(text),
            Counters = counters,
            Transcript = [new TranscriptEntry("user", agentCase.Messages[^1].Text), new TranscriptEntry("tool", text)],
            Trace = [],
            IsComplete = true,
        };
    }

    private async Task<(string Text, bool IsError, int? Status)> McpAsync(AgentCase agentCase, string tool, CancellationToken cancellationToken)
    {
        await using var client = await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = agentCase.McpServers[call.Server], Name = call.Server }), cancellationToken: cancellationToken);
        var arguments = call.Arguments?.Deserialize<Dictionary<string, object?>>() ?? [];
        var result = await client.CallToolAsync(tool, arguments, cancellationToken: cancellationToken);
        var text = string.Join(Environment.NewLine, result.Content.Select(c => c is TextContentBlock t ? t.Text : JsonSerializer.Serialize(c)));
        return (text, result.IsError == true, null);
    }

    private async Task<(string Text, bool IsError, int? Status)> HttpAsync(AgentCase agentCase, CancellationToken cancellationToken)
    {
        using var client = agentCase.HttpClientFor(call.Server);
        using var request = new HttpRequestMessage(new HttpMethod(call.Method!), call.Path!.TrimStart('/'));
        if (call.Body is { } body)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request, cancellationToken);
        return (await response.Content.ReadAsStringAsync(cancellationToken), !response.IsSuccessStatusCode, (int)response.StatusCode);
    }

    /// <summary>An answer that is a JSON object is the state <c>expect.state</c> reads (<c>in_stock: 3</c>); other answers give none.</summary>
    private static JsonElement? State(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement is { ValueKind: JsonValueKind.Object } json ? json.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
