using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.UnderTest;

/// <summary>
/// Runs a Microsoft Agent Framework agent (an <see cref="AIAgent"/>) as it is, with no adapter in the team's code: built
/// once per case on <see cref="AgentCase.ChatClient"/>, run with <see cref="AIAgent.RunAsync(IEnumerable{ChatMessage}, AgentSession?, AgentRunOptions?, CancellationToken)"/>
/// in one session for the whole case, so a conversation's turns share the agent's own history. The answer, the tool
/// calls with their arguments and results, the model calls and the tokens are read from the <see cref="AgentResponse"/>;
/// the rest (cost, transcript, spans) the runner reads from the recorded traffic.
/// </summary>
/// <param name="create">Builds the agent on the case's chat client.</param>
internal sealed class FrameworkAgent(Func<IChatClient, AIAgent> create) : IAgentUnderTest, IAsyncDisposable
{
    // Arguments and results as compact JSON, as the model's wire format carries them (the AI defaults indent).
    private static readonly JsonSerializerOptions Compact = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    private AIAgent? _agent;
    private AgentSession? _session;

    // How many of the case's messages the session already holds (sent, or the agent's own replies).
    private int _seen;

    /// <inheritdoc />
    public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentCase);
        _agent ??= create(agentCase.ChatClient) ?? throw new InvalidOperationException("the agent's factory returned null instead of an AIAgent.");
        _session ??= await _agent.CreateSessionAsync(cancellationToken);

        // The harness holds a conversation by giving each turn the whole conversation so far (OwnConversation); the
        // session already holds the earlier turns and the agent's real replies (with their tool calls), so only what is
        // new and not the agent's own is sent. The suite's system prompt, if it gives one, goes before the first message.
        List<ChatMessage> fresh = [.. agentCase.Messages.Skip(_seen).Where(m => _seen == 0 || m.Role != ChatRole.Assistant)];
        if (_seen == 0 && agentCase.SystemPrompt is { Length: > 0 } prompt)
        {
            fresh.Insert(0, new ChatMessage(ChatRole.System, prompt));
        }

        _seen = agentCase.Messages.Count;
        var response = await _agent.RunAsync(fresh, _session, options: null, cancellationToken);
        return Read(response);
    }

    /// <summary>Disposes the agent built for the case, if it is disposable (the runner disposes this after the case).</summary>
    public ValueTask DisposeAsync() => OwnAgent.DisposeAsync(_agent);

    /// <summary>What an agent's response says about its run; what it does not say is left null for the traffic to fill.</summary>
    internal static AgentReport Read(AgentResponse response)
    {
        var results = response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()
            .GroupBy(r => r.CallId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var calls = new List<ToolCallResult>();
        var step = 0;
        foreach (var message in response.Messages.Where(m => m.Role == ChatRole.Assistant))
        {
            // Each model call answers with one assistant message: its tool calls belong to that step.
            step++;
            foreach (var call in message.Contents.OfType<FunctionCallContent>())
            {
                var arguments = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>(), Compact);
                if (!results.TryGetValue(call.CallId, out var result))
                {
                    calls.Add(new ToolCallResult(step, call.Name, arguments, string.Empty, IsError: false, Status: "no_result"));
                    continue;
                }

                var text = Text(result.Result);
                var isError = result.Exception is not null || IsErrorObject(text);
                calls.Add(new ToolCallResult(step, call.Name, arguments, text, isError, isError ? "error" : "ok"));
            }
        }

        return new AgentReport
        {
            Output = response.Text,
            ToolCalls = calls,
            Steps = step > 0 ? step : null,
            InputTokens = response.Usage?.InputTokenCount,
            OutputTokens = response.Usage?.OutputTokenCount,
        };
    }

    /// <summary>
    /// How a type of a team's builds its agent on a chat client: a public constructor whose first parameter is an
    /// <see cref="IChatClient"/> (any others optional) of a type that derives from <see cref="AIAgent"/>, or a public
    /// static <c>Create(IChatClient)</c> returning an <see cref="AIAgent"/>. Null when it has neither. The type itself
    /// need not be public (reflection calls its public members either way); only public ones are listed as agents.
    /// </summary>
    internal static Func<IChatClient, AIAgent>? FactoryOf(Type type)
    {
        if (type.IsInterface)
        {
            return null;
        }

        var create = type.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == "Create" && typeof(AIAgent).IsAssignableFrom(m.ReturnType) && TakesChatClient(m.GetParameters()));
        if (create is not null)
        {
            return chatClient => (AIAgent)Invoke(() => create.Invoke(null, Arguments(create.GetParameters(), chatClient)))!;
        }

        var constructor = typeof(AIAgent).IsAssignableFrom(type) && !type.IsAbstract
            ? type.GetConstructors().FirstOrDefault(c => TakesChatClient(c.GetParameters()))
            : null;
        return constructor is null ? null : chatClient => (AIAgent)Invoke(() => constructor.Invoke(Arguments(constructor.GetParameters(), chatClient)));
    }

    /// <summary>Whether <paramref name="type"/> is an Agent Framework agent: it derives from <see cref="AIAgent"/>.</summary>
    internal static bool IsFrameworkAgent(Type type) => typeof(AIAgent).IsAssignableFrom(type);

    private static bool TakesChatClient(ParameterInfo[] parameters) =>
        parameters.Length > 0 && parameters[0].ParameterType == typeof(IChatClient) && parameters.Skip(1).All(p => p.IsOptional);

    private static object?[] Arguments(ParameterInfo[] parameters, IChatClient chatClient) =>
        [chatClient, .. parameters.Skip(1).Select(p => p.HasDefaultValue ? p.DefaultValue : null)];

    /// <summary>Calls a constructor or factory, throwing what it threw rather than the reflection wrapper.</summary>
    private static object Invoke(Func<object?> call)
    {
        try
        {
            return call() ?? throw new InvalidOperationException("the agent's Create(IChatClient) returned null instead of an AIAgent.");
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Throw(inner);
            throw;
        }
    }

    /// <summary>A tool result as the model is shown it: text as it is, anything else as JSON.</summary>
    private static string Text(object? result) => result switch
    {
        null => string.Empty,
        string text => text,
        _ => JsonSerializer.Serialize(result, Compact),
    };

    /// <summary>A JSON object with a truthy <c>error</c> key: the convention the recorded traffic is read by too.</summary>
    private static bool IsErrorObject(string text)
    {
        if (!text.StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.TryGetProperty("error", out var error) && error.ValueKind is not (JsonValueKind.Null or JsonValueKind.False);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
