using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EvalHarness.Cassettes.Protocols.OpenAI;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Assertions;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// A served agent's case: POSTs it (each turn of a conversation) to the service with trace context naming the case
/// (<see cref="CaseTrace"/>), and reads the answer. One instance serves one case, so it keeps the conversation's session
/// id or previous response id between turns. What the answer does not report is read from the case's traffic.
/// </summary>
internal sealed partial class HttpAgent(ServedAgent served) : IAgentUnderTest
{
    /// <summary>
    /// One client for every served agent. It sends only the trace context this agent writes: the harness's own
    /// activity (an OTLP export's case span) must not replace the case's trace id.
    /// </summary>
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    private int _requests;
    private string? _session;
    private string? _previousResponseId;

    public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, served.Url) { Content = new ByteArrayContent(Body(agentCase)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in served.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation(CaseTrace.TraceParentHeader, CaseTrace.TraceParentFor(agentCase.CaseId, ++_requests));
        request.Headers.TryAddWithoutValidation(CaseTrace.BaggageHeader, CaseTrace.BaggageFor(agentCase.CaseId));
        request.Headers.TryAddWithoutValidation(CaseTrace.CaseHeader, agentCase.CaseId);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(served.Timeout);
        string text;
        int status;
        try
        {
            using var response = await Http.SendAsync(request, timeout.Token);
            text = await response.Content.ReadAsStringAsync(timeout.Token);
            status = (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AgentReport.Failed($"the service at {served.Url} did not answer within {served.Timeout.TotalSeconds:0.###} s (agent.http.timeout_s).")
                with { Outcome = "timed_out", Reason = "The service ran past its time limit." };
        }
        catch (HttpRequestException ex)
        {
            return AgentReport.Failed($"the service at {served.Url} could not be reached ({ex.Message}). "
                + (served.Start is null
                    ? "Start it before the run, or let the suite start it with agent.http.start."
                    : "It was started for the run and has stopped or does not listen there: check agent.http.url against its start.env."));
        }

        var log = $"POST {served.Url} (turn {agentCase.Turn}) → HTTP {status}{Environment.NewLine}{Clip(text)}";
        if (status is < 200 or > 299)
        {
            return AgentReport.Failed($"the service answered HTTP {status}: {ProcessAgent.Snippet(text.Trim())}", log);
        }

        JsonElement answer;
        try
        {
            using var document = JsonDocument.Parse(text);
            answer = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return AgentReport.Failed($"the service's answer is not JSON ({ex.Message}): {ProcessAgent.Snippet(text.Trim())}", log);
        }

        return served.Protocol switch
        {
            "openai-responses" => ResponsesAnswer(answer, log),
            "openai-chat" => ChatAnswer(answer, log),
            _ when served.Output is null => ProcessAgent.Answer(answer, log),
            _ => TemplateAnswer(answer, log),
        };
    }

    private byte[] Body(AgentCase agentCase) => served.Protocol switch
    {
        "openai-responses" => ResponsesBody(agentCase),
        "openai-chat" => ChatBody(agentCase),
        _ when served.Body is { } template => Render(template, agentCase),
        _ => ProcessAgent.InputJson(agentCase),
    };

    /// <summary>The answer at the suite's <c>output</c> path, and the state at its <c>state</c> path; the session id kept for the next turn.</summary>
    private AgentReport TemplateAnswer(JsonElement answer, string log)
    {
        if (served.Session is { } sessionPath && JsonPath.Select(answer, sessionPath) is { ValueKind: JsonValueKind.String or JsonValueKind.Number } session)
        {
            _session = session.ValueKind == JsonValueKind.String ? session.GetString() : session.GetRawText();
        }

        if (JsonPath.Select(answer, served.Output!) is not { } output || output.ValueKind is JsonValueKind.Null)
        {
            return AgentReport.Failed($"the service's answer has nothing at {served.Output} (agent.http.output): {ProcessAgent.Snippet(answer.GetRawText())}", log);
        }

        return new AgentReport
        {
            Output = output.ValueKind == JsonValueKind.String ? output.GetString()! : output.GetRawText(),
            State = served.State is { } statePath && JsonPath.Select(answer, statePath) is { ValueKind: JsonValueKind.Object } state ? state : null,
            Log = log,
        };
    }

    private byte[] ResponsesBody(AgentCase agentCase) =>
        OpenAIAgentEndpoint.ResponsesRequest(ModelName(agentCase), agentCase.SystemPrompt, _previousResponseId, Conversation(agentCase));

    private AgentReport ResponsesAnswer(JsonElement answer, string log)
    {
        var (id, text) = OpenAIAgentEndpoint.ResponsesAnswer(answer);
        _previousResponseId = id ?? _previousResponseId;
        return text is not null
            ? new AgentReport { Output = text, Log = log }
            : AgentReport.Failed($"the service's Responses answer has no output_text message: {ProcessAgent.Snippet(answer.GetRawText())}", log);
    }

    private static byte[] ChatBody(AgentCase agentCase) =>
        OpenAIAgentEndpoint.ChatRequest(ModelName(agentCase), agentCase.SystemPrompt, Conversation(agentCase));

    private static AgentReport ChatAnswer(JsonElement answer, string log) =>
        OpenAIAgentEndpoint.ChatAnswer(answer) is { } text
            ? new AgentReport { Output = text, Log = log }
            : AgentReport.Failed($"the service's Chat Completions answer has no message content: {ProcessAgent.Snippet(answer.GetRawText())}", log);

    private static List<(string Role, string Content)> Conversation(AgentCase agentCase) => [.. agentCase.Messages.Select(m => (m.Role.Value, m.Text))];

    private static string ModelName(AgentCase agentCase) => agentCase.Model.IsChosenByTheAgent ? "agent" : agentCase.Model.Model;

    /// <summary>The suite's body template with this turn's values in it.</summary>
    private byte[] Render(JsonElement template, AgentCase agentCase)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, template, agentCase);
        }

        return buffer.ToArray();
    }

    private void Write(Utf8JsonWriter json, JsonElement node, AgentCase agentCase)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                foreach (var property in node.EnumerateObject())
                {
                    json.WritePropertyName(property.Name);
                    Write(json, property.Value, agentCase);
                }

                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in node.EnumerateArray())
                {
                    Write(json, item, agentCase);
                }

                json.WriteEndArray();
                break;
            case JsonValueKind.String when Placeholder().Match(node.GetString()!) is { Success: true } whole && whole.Length == node.GetString()!.Length:
                WriteValue(json, whole.Groups["name"].Value, agentCase);
                break;
            case JsonValueKind.String:
                json.WriteStringValue(Placeholder().Replace(node.GetString()!, m => Text(m.Groups["name"].Value, agentCase)));
                break;
            default:
                node.WriteTo(json);
                break;
        }
    }

    /// <summary>A string that is one placeholder becomes its JSON value: the conversation, a var, the turn, the state, or null for no session yet.</summary>
    private void WriteValue(Utf8JsonWriter json, string name, AgentCase agentCase)
    {
        switch (name)
        {
            case "conversation":
                ProcessAgent.WriteConversation(json, agentCase);
                break;
            case "turn":
                json.WriteNumberValue(agentCase.Turn);
                break;
            case "state" when agentCase.State is { } state:
                state.WriteTo(json);
                break;
            case "state":
            case "session" when _session is null:
                json.WriteNullValue();
                break;
            case var _ when name.StartsWith("vars.", StringComparison.Ordinal) && agentCase.Vars.TryGetValue(name[5..], out var value):
                value.WriteTo(json);
                break;
            default:
                json.WriteStringValue(Text(name, agentCase));
                break;
        }
    }

    private string Text(string name, AgentCase agentCase) => name switch
    {
        "input" => agentCase.Input,
        "case_id" => agentCase.CaseId,
        "turn" => agentCase.Turn.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "session" => _session ?? string.Empty,
        "scenario" => agentCase.Scenario,
        "variant" => agentCase.Variant,
        "system_prompt" => agentCase.SystemPrompt ?? string.Empty,
        "conversation" or "state" => Json(name, agentCase),
        _ when name.StartsWith("vars.", StringComparison.Ordinal) => agentCase.Vars.TryGetValue(name[5..], out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()
            : string.Empty,
        _ => string.Empty,
    };

    private string Json(string name, AgentCase agentCase)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteValue(json, name, agentCase);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Clip(string text) => text.Length <= 16 * 1024 ? text : text[..(16 * 1024)] + "…";

    /// <summary>The placeholders a body template may hold; the parser refuses any other name.</summary>
    internal static readonly IReadOnlyList<string> Names = ["input", "case_id", "turn", "session", "scenario", "variant", "system_prompt", "conversation", "state"];

    [GeneratedRegex(@"\{\{\s*(?<name>[A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")]
    internal static partial Regex Placeholder();
}
