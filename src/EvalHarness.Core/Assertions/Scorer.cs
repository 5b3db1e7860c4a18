using System.Text.Json;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using EvalHarness.BuiltIn;
using EvalHarness.Core.UnderTest;

namespace EvalHarness.Core.Assertions;

/// <summary>Turns a scenario's expectations into verdicts on one run.</summary>
internal static class Scorer
{
    /// <summary>
    /// A conversation's per-turn verdicts: each turn's expect checked on that turn's reply (its output, the tools called
    /// in it), named <c>turn 2 output.contains</c> and worded "Turn 2: …"; a turn the conversation never reached fails
    /// its expectations with the reason it stopped.
    /// </summary>
    public static IReadOnlyList<AssertionVerdict> ScoreTurns(Scenario scenario, AgentReport run)
    {
        var verdicts = new List<AssertionVerdict>();
        for (var i = 0; i < scenario.Turns.Count; i++)
        {
            if (scenario.Turns[i].Expect is not { } expect)
            {
                continue;
            }

            var n = i + 1;
            if (run.Turns is not { } turns || i >= turns.Count)
            {
                verdicts.Add(new($"turn {n}", false, $"Turn {n} was not reached: the conversation stopped at turn {run.Turns?.Count ?? 0} ({run.Outcome ?? "completed"}: {run.Reason})."));
                continue;
            }

            var turn = turns[i];
            var replied = run with { Output = turn.Output, ToolCalls = turn.ToolCalls, Outcome = turn.Outcome, Turns = null };
            verdicts.AddRange(Score(scenario with { Expect = expect, Turns = [] }, replied, turn.ToolCalls)
                .Select(v => v with { Kind = $"turn {n} {v.Kind}", Reason = $"Turn {n}: {v.Reason}" }));
        }

        if (scenario.Expect.Dialogue is { } dialogue)
        {
            verdicts.AddRange(ScoreDialogue(dialogue, run));
        }

        return verdicts;
    }

    /// <summary><c>expect.dialogue</c>: the conversation's number of user turns and how it ended.</summary>
    private static IEnumerable<AssertionVerdict> ScoreDialogue(DialogueExpectation dialogue, AgentReport run)
    {
        var turns = run.Turns?.Count ?? 0;
        var ended = run.EndedBy ?? "agent";
        if (dialogue.MinTurns is { } min)
        {
            yield return turns >= min
                ? new("dialogue.min_turns", true, $"The conversation took {turns} user turn(s), at least {min}.")
                : new("dialogue.min_turns", false, $"The conversation took {turns} user turn(s), fewer than {min} (it ended by {ended}).");
        }

        if (dialogue.MaxTurns is { } max)
        {
            yield return turns <= max
                ? new("dialogue.max_turns", true, $"The conversation took {turns} user turn(s), at most {max}.")
                : new("dialogue.max_turns", false, $"The conversation took {turns} user turn(s), more than {max}.");
        }

        if (dialogue.EndedBy is { } expected)
        {
            yield return ended == expected
                ? new("dialogue.ended_by", true, $"The conversation ended by {DialogueExpectation.Describe(ended)}, as expected.")
                : new("dialogue.ended_by", false, $"Expected the conversation to end by {DialogueExpectation.Describe(expected)}, but it ended by {DialogueExpectation.Describe(ended)} after {turns} user turn(s).");
        }
    }

    /// <summary>Scores a run. <paramref name="toolCalls"/> carry qualified tool names.</summary>
    /// <param name="scenario">The scenario and its expectations.</param>
    /// <param name="run">What the agent reported, with what the traffic said filled in: every field the scorer reads is set.</param>
    /// <param name="toolCalls">The run's tool calls with qualified names.</param>
    /// <param name="environment">The case's environment after the run, for state assertions.</param>
    /// <param name="latencyMs">The run's latency, for the latency bound.</param>
    /// <param name="serverCalls">
    /// The calls of the agent's tool servers read from their traffic (<c>inventory.check_stock</c>, <c>prices GET /price</c>):
    /// an expected tool by such a name is looked for among them.
    /// </param>
    public static IReadOnlyList<AssertionVerdict> Score(
        Scenario scenario, AgentReport run, IReadOnlyList<ToolCallResult> toolCalls, CaseEnvironment? environment = null, double latencyMs = 0,
        IReadOnlyList<ToolCallResult>? serverCalls = null)
    {
        serverCalls ??= [];

        // A name the model's calls do not have but a tool server's calls do (or that names one of those servers, as
        // inventory.chek_stock does) is about the tool server's side, and a miss lists the servers' calls.
        IReadOnlyList<ToolCallResult> CallsNamed(string name) =>
            toolCalls.All(c => c.Tool != name) && serverCalls.Any(c => c.Tool == name || name.StartsWith(ServerPrefix(c), StringComparison.Ordinal))
                ? serverCalls
                : toolCalls;
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(run);
        var expect = scenario.Expect;
        var outcome = run.Outcome ?? Outcomes.Completed;
        var reason = run.Reason ?? "the agent gave its answer";
        var verdicts = new List<AssertionVerdict>
        {
            outcome == expect.Outcome
                ? new("outcome", true, $"The run ended {outcome}, as expected: {reason}")
                : new("outcome", false, $"Expected the run to end {expect.Outcome}, but it ended {outcome}: {reason}"),
        };

        foreach (var text in expect.OutputContains)
        {
            verdicts.Add(run.Output.Contains(text, StringComparison.OrdinalIgnoreCase)
                ? new("output.contains", true, $"The output contains \"{text}\".")
                : new("output.contains", false, $"The output does not contain \"{text}\". Output: {Snippet(run.Output)}"));
        }

        foreach (var text in expect.OutputNotContains)
        {
            verdicts.Add(!run.Output.Contains(text, StringComparison.OrdinalIgnoreCase)
                ? new("output.not_contains", true, $"The output does not contain \"{text}\".")
                : new("output.not_contains", false, $"The output contains \"{text}\", which it must not. Output: {Snippet(run.Output)}"));
        }

        foreach (var pattern in expect.OutputRegex)
        {
            verdicts.Add(pattern.IsMatch(run.Output)
                ? new("output.regex", true, $"The output matches /{pattern}/.")
                : new("output.regex", false, $"The output does not match /{pattern}/. Output: {Snippet(run.Output)}"));
        }

        if (expect.OutputEquals is { } equals)
        {
            verdicts.Add(run.Output.Trim() == equals.Trim()
                ? new("output.equals", true, "The output is exactly as expected.")
                : new("output.equals", false, $"The output is {Snippet(run.Output)}, not \"{equals}\"."));
        }

        if (expect.OutputJsonSchema is not null || expect.OutputJsonPath.Count > 0)
        {
            verdicts.AddRange(JsonOutput(expect, run.Output));
        }

        foreach (var tool in expect.ToolsCalled)
        {
            verdicts.Add(ToolCalled(tool, CallsNamed(tool.Name)));
        }

        if (expect.ToolsCalled.Count > 0 && expect.ToolsOrder != ToolOrder.Unordered)
        {
            // The model's calls and the tool servers' are two sequences: each expected name is ordered within its own.
            var onServers = expect.ToolsCalled.Where(t => serverCalls.Count > 0 && CallsNamed(t.Name) == serverCalls).ToList();
            var onModel = expect.ToolsCalled.Except(onServers).ToList();
            if (onModel.Count > 0)
            {
                verdicts.Add(Order(expect.ToolsOrder, onModel, toolCalls));
            }

            if (onServers.Count > 0)
            {
                verdicts.Add(Order(expect.ToolsOrder, onServers, serverCalls));
            }
        }

        if (expect.MaxToolCalls is { } maxCalls)
        {
            verdicts.Add(toolCalls.Count <= maxCalls
                ? new("tools.max_calls", true, $"{toolCalls.Count} tool call(s), within {maxCalls}.")
                : new("tools.max_calls", false, $"{toolCalls.Count} tool calls, more than the {maxCalls} allowed."));
        }

        foreach (var (path, value) in expect.State)
        {
            // An own agent reports its end state; the built-in runtime's is its toolkits' environment.
            var actual = StateAt(run, environment, path);
            verdicts.Add(actual is { } found && SameValue(value, found)
                ? new("state", true, $"{path} is {ShownJson.Of(found)}.")
                : new("state", false, $"{path} is {(actual is { } a ? ShownJson.Of(a) : "missing")}, expected {ShownJson.Of(value)}."));
        }

        if (expect.MaxTokens is { } maxTokens)
        {
            var total = (run.InputTokens ?? 0) + (run.OutputTokens ?? 0);
            verdicts.Add(total <= maxTokens
                ? new("max_tokens", true, $"{total:N0} tokens, within {maxTokens:N0}.")
                : new("max_tokens", false, $"{total:N0} tokens, more than the {maxTokens:N0} allowed."));
        }

        if (expect.MaxCostUsd is { } maxCost)
        {
            verdicts.Add(run.CostUsd is not { } cost ? new("max_cost_usd", false, "The cost is unknown (a model has no price), so the bound cannot hold.")
                : cost <= maxCost ? new("max_cost_usd", true, $"${cost:0.######}, within ${maxCost:0.######}.")
                : new("max_cost_usd", false, $"${cost:0.######}, more than the ${maxCost:0.######} allowed."));
        }

        if (expect.MaxLatencyMs is { } maxLatency)
        {
            verdicts.Add(latencyMs <= maxLatency
                ? new("max_latency_ms", true, $"{latencyMs:0} ms, within {maxLatency:0}.")
                : new("max_latency_ms", false, $"{latencyMs:0} ms, more than the {maxLatency:0} allowed."));
        }

        foreach (var tool in expect.ToolsNotCalled)
        {
            var calls = CallsNamed(tool);
            var ran = calls.Where(c => c.Tool == tool && !c.IsError && c.Status != "denied").ToList();
            var refused = calls.Count(c => c.Tool == tool) - ran.Count;
            verdicts.Add(ran.Count == 0
                ? new("tools.not_called", true, refused == 0 ? $"{tool} was never called." : $"{tool} never ran ({refused} call(s) refused or failed).")
                : new("tools.not_called", false, $"{tool} ran {ran.Count} time(s), first at step {ran[0].Step} with {ShownJson.OfText(ran[0].Arguments)}."));
        }

        foreach (var (counter, value) in expect.Counters)
        {
            var actual = run.Counters?.GetValueOrDefault(counter) ?? 0;
            verdicts.Add(actual == value
                ? new("counters", true, $"{counter} is {actual}.")
                : new("counters", false, $"{counter} is {actual}, expected {value}."));
        }

        if (expect.MaxSteps is { } maxSteps)
        {
            var steps = run.Steps ?? 0;
            verdicts.Add(steps <= maxSteps
                ? new("max_steps", true, $"{steps} step(s), within {maxSteps}.")
                : new("max_steps", false, $"{steps} steps, more than the {maxSteps} allowed."));
        }

        return verdicts;
    }

    private static IEnumerable<AssertionVerdict> JsonOutput(Expectations expect, string text)
    {
        JsonElement root;
        try
        {
            var trimmed = text.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                trimmed = trimmed[(trimmed.IndexOf('\n', StringComparison.Ordinal) + 1)..trimmed.LastIndexOf("```", StringComparison.Ordinal)];
            }

            using var document = JsonDocument.Parse(trimmed);
            root = document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is JsonException or ArgumentOutOfRangeException)
        {
            return [new("output.json", false, $"The output is not JSON, so its schema and paths cannot hold. Output: {Snippet(text)}")];
        }

        var verdicts = new List<AssertionVerdict>();
        if (expect.OutputJsonSchema is { } schema)
        {
            var errors = schema.Validate(root);
            verdicts.Add(errors.Count == 0
                ? new("output.json_schema", true, "The output matches the schema.")
                : new("output.json_schema", false, $"The output does not match the schema: {string.Join("; ", errors)}."));
        }

        foreach (var (path, value) in expect.OutputJsonPath)
        {
            var found = JsonPath.Select(root, path);
            verdicts.Add(found is { } f && SameValue(value, f)
                ? new("output.json_path", true, $"{path} is {ShownJson.Of(f)}.")
                : new("output.json_path", false, $"{path} is {(found is { } a ? ShownJson.Of(a) : "missing")}, expected {ShownJson.Of(value)}."));
        }

        return verdicts;
    }

    private static bool Matches(ToolExpectation expected, ToolCallResult call) =>
        call.Tool == expected.Name && ArgumentMismatch(expected.Arguments, call.Arguments) is null;

    /// <summary>What a tool server's call names start with: <c>inventory.</c> for an MCP tool, <c>prices </c> for an HTTP API.</summary>
    private static string ServerPrefix(ToolCallResult call) => call.Agent is { } server && server.StartsWith("http:", StringComparison.Ordinal)
        ? server["http:".Length..] + " "
        : call.Agent is { } mcp && mcp.StartsWith("mcp:", StringComparison.Ordinal) ? mcp["mcp:".Length..] + "." : "\0";

    private static AssertionVerdict Order(ToolOrder order, IReadOnlyList<ToolExpectation> expected, IReadOnlyList<ToolCallResult> calls)
    {
        var kind = "tools.order";
        var made = calls.Count == 0 ? "no calls" : string.Join(" → ", calls.Select(c => c.Tool));
        var wanted = string.Join(" → ", expected.Select(e => e.Name));
        switch (order)
        {
            case ToolOrder.Strict:
                return calls.Count == expected.Count && calls.Zip(expected).All(p => Matches(p.Second, p.First))
                    ? new(kind, true, $"The calls are exactly {wanted}.")
                    : new(kind, false, $"Expected exactly {wanted}, got {made}.");
            case ToolOrder.Subset:
                var next = 0;
                foreach (var call in calls)
                {
                    if (next < expected.Count && Matches(expected[next], call))
                    {
                        next++;
                    }
                }

                return next == expected.Count
                    ? new(kind, true, $"{wanted} happened in this order.")
                    : new(kind, false, $"Expected {wanted} in this order; {expected[next].Name} did not follow (calls: {made}).");
            default:
                var stray = calls.Where(c => !expected.Any(e => Matches(e, c))).ToList();
                return stray.Count == 0
                    ? new(kind, true, $"Every call was one of {wanted}.")
                    : new(kind, false, $"{stray[0].Tool} with {ShownJson.OfText(stray[0].Arguments)} was called, but only {wanted} were expected.");
        }
    }

    private static AssertionVerdict ToolCalled(ToolExpectation expected, IReadOnlyList<ToolCallResult> calls)
    {
        var kind = "tools.called";
        var candidates = calls.Where(c => c.Tool == expected.Name).ToList();
        if (candidates.Count == 0)
        {
            var made = calls.Count == 0 ? "no tools" : string.Join(", ", calls.Select(c => c.Tool).Distinct());
            return new(kind, false, $"{expected.Name} was never called (the agent called {made}).");
        }

        string? firstMismatch = null;
        foreach (var call in candidates)
        {
            var mismatch = ArgumentMismatch(expected.Arguments, call.Arguments);
            if (mismatch is null)
            {
                var shown = expected.Arguments.Count == 0 ? string.Empty : $" with {Describe(expected.Arguments)}";
                return new(kind, true, $"{expected.Name} was called{shown} at step {call.Step}.");
            }

            firstMismatch ??= mismatch;
        }

        return new(kind, false, $"{expected.Name} was called, but never with {Describe(expected.Arguments)}: {firstMismatch}.");
    }

    private static string? ArgumentMismatch(IReadOnlyDictionary<string, JsonElement> expected, string argumentsJson)
    {
        if (expected.Count == 0)
        {
            return null;
        }

        // An agent's own traffic carries the arguments as the model wrote them, which may be cut off or not an
        // object: that fails this expectation, and must not end the run.
        if (ParseObject(argumentsJson) is not { } arguments)
        {
            return $"its arguments were not a JSON object: {argumentsJson}";
        }

        foreach (var (name, value) in expected)
        {
            if (!arguments.TryGetProperty(name, out var actual))
            {
                return $"{name} was missing";
            }

            if (!SameValue(value, actual))
            {
                return $"{name} was {ShownJson.Of(actual)}";
            }
        }

        return null;
    }

    private static JsonElement? ParseObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Strings compare case-insensitively and trimmed (models vary case in ids); other values exactly.</summary>
    /// <summary>The value at a state path after the run: the state an own agent reported, else the built-in runtime's world.</summary>
    internal static JsonElement? StateAt(AgentReport run, CaseEnvironment? environment, string path) =>
        run.State is { } state ? ReportedState.Read(state, path) : environment?.ReadState(path);

    private static bool SameValue(JsonElement expected, JsonElement actual) =>
        expected.ValueKind == JsonValueKind.String && actual.ValueKind == JsonValueKind.String
            ? string.Equals(expected.GetString()!.Trim(), actual.GetString()!.Trim(), StringComparison.OrdinalIgnoreCase)
            : Cassettes.Matching.JsonDiff.First(expected, actual) is null;

    private static string Describe(IReadOnlyDictionary<string, JsonElement> arguments) =>
        string.Join(", ", arguments.Select(a => $"{a.Key}={ShownJson.Of(a.Value)}"));

    private static string Snippet(string text) =>
        text.Length == 0 ? "(empty)" : text.Length <= 160 ? $"\"{text}\"" : $"\"{text[..160]}…\"";
}
