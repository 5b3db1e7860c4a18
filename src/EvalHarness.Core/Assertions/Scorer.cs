using System.Text.Json;
using EvalHarness.Agents.Runtime;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Assertions;

/// <summary>Turns a scenario's expectations into verdicts on one run.</summary>
public static class Scorer
{
    /// <summary>Scores a run. <paramref name="toolCalls"/> carry qualified tool names.</summary>
    public static IReadOnlyList<AssertionVerdict> Score(Scenario scenario, AgentRun run, IReadOnlyList<ToolCallResult> toolCalls)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(run);
        var expect = scenario.Expect;
        var expected = ExpectationParser.Name(expect.Outcome);
        var verdicts = new List<AssertionVerdict>
        {
            run.Outcome == expect.Outcome
                ? new("outcome", true, $"The run ended {expected}, as expected: {run.Reason}")
                : new("outcome", false, $"Expected the run to end {expected}, but it ended {ExpectationParser.Name(run.Outcome)}: {run.Reason}"),
        };

        foreach (var text in expect.OutputContains)
        {
            verdicts.Add(run.FinalText.Contains(text, StringComparison.OrdinalIgnoreCase)
                ? new("output.contains", true, $"The output contains \"{text}\".")
                : new("output.contains", false, $"The output does not contain \"{text}\". Output: {Snippet(run.FinalText)}"));
        }

        foreach (var text in expect.OutputNotContains)
        {
            verdicts.Add(!run.FinalText.Contains(text, StringComparison.OrdinalIgnoreCase)
                ? new("output.not_contains", true, $"The output does not contain \"{text}\".")
                : new("output.not_contains", false, $"The output contains \"{text}\", which it must not. Output: {Snippet(run.FinalText)}"));
        }

        foreach (var tool in expect.ToolsCalled)
        {
            verdicts.Add(ToolCalled(tool, toolCalls));
        }

        foreach (var tool in expect.ToolsNotCalled)
        {
            var ran = toolCalls.Where(c => c.Tool == tool && !c.IsError && c.Status != "denied").ToList();
            var refused = toolCalls.Count(c => c.Tool == tool) - ran.Count;
            verdicts.Add(ran.Count == 0
                ? new("tools.not_called", true, refused == 0 ? $"{tool} was never called." : $"{tool} never ran ({refused} call(s) refused or failed).")
                : new("tools.not_called", false, $"{tool} ran {ran.Count} time(s), first at step {ran[0].Step} with {ran[0].Arguments}."));
        }

        foreach (var (counter, value) in expect.Counters)
        {
            var actual = run.Counters.GetValueOrDefault(counter);
            verdicts.Add(actual == value
                ? new("counters", true, $"{counter} is {actual}.")
                : new("counters", false, $"{counter} is {actual}, expected {value}."));
        }

        if (expect.MaxSteps is { } maxSteps)
        {
            verdicts.Add(run.Steps <= maxSteps
                ? new("max_steps", true, $"{run.Steps} step(s), within {maxSteps}.")
                : new("max_steps", false, $"{run.Steps} steps, more than the {maxSteps} allowed."));
        }

        return verdicts;
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
        using var document = JsonDocument.Parse(argumentsJson);
        foreach (var (name, value) in expected)
        {
            if (!document.RootElement.TryGetProperty(name, out var actual))
            {
                return $"{name} was missing";
            }

            if (!SameValue(value, actual))
            {
                return $"{name} was {actual.GetRawText()}";
            }
        }

        return null;
    }

    /// <summary>Strings compare case-insensitively and trimmed (models vary case in ids); other values exactly.</summary>
    private static bool SameValue(JsonElement expected, JsonElement actual) =>
        expected.ValueKind == JsonValueKind.String && actual.ValueKind == JsonValueKind.String
            ? string.Equals(expected.GetString()!.Trim(), actual.GetString()!.Trim(), StringComparison.OrdinalIgnoreCase)
            : Cassettes.Matching.JsonDiff.First(expected, actual) is null;

    private static string Describe(IReadOnlyDictionary<string, JsonElement> arguments) =>
        string.Join(", ", arguments.Select(a => $"{a.Key}={a.Value.GetRawText()}"));

    private static string Snippet(string text) =>
        text.Length == 0 ? "(empty)" : text.Length <= 160 ? $"\"{text}\"" : $"\"{text[..160]}…\"";
}
