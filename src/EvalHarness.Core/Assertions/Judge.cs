using System.Globalization;
using System.Text;
using System.Text.Json;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using Microsoft.Extensions.AI;

namespace EvalHarness.Core.Assertions;

/// <summary>
/// LLM-as-judge: a model scores the run's final answer against a rubric from 0 to 1. Its calls are model
/// calls like any other: recorded in the case's own judge cassette and replayed from it.
/// </summary>
internal static class Judge
{
    /// <summary>The judge's system prompt; the scripted upstream tells the judge's conversation by it.</summary>
    public const string Instruction =
        "You are a strict evaluator of an AI assistant's work. Score how well the final answer meets the rubric, from 0 (not at all) "
        + "to 1 (fully). Reply with only a JSON object: {\"score\": <number 0..1>, \"reason\": \"<one sentence>\"}.";

    /// <summary>Asks the judge and turns its answer into a verdict.</summary>
    public static async Task<AssertionVerdict> ScoreAsync(
        IChatClient client, JudgeExpectation judge, Scenario scenario, AgentReport run, IReadOnlyList<ToolCallResult> toolCalls, CancellationToken cancellationToken = default)
    {
        var request = new StringBuilder()
            .Append("Rubric: ").AppendLine(judge.Rubric)
            .Append("User's request: ").AppendLine(scenario.Input)
            .Append("Tool calls: ").AppendLine(toolCalls.Count == 0 ? "none" : string.Join("; ", toolCalls.Select(c => $"{c.Tool}({c.Arguments})")))
            .Append("Final answer: ").Append(run.Output);
        ChatResponse response;
        try
        {
            response = await client.GetResponseAsync(
                [new ChatMessage(ChatRole.System, Instruction), new ChatMessage(ChatRole.User, request.ToString())],
                new ChatOptions { ModelId = judge.Model?.Model },
                cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new("judge", false, $"The judge could not be asked: {ex.Message.Split('\n')[0]}");
        }

        try
        {
            using var document = JsonDocument.Parse(Unfence(response.Text));
            var score = document.RootElement.GetProperty("score").GetDouble();
            var reason = document.RootElement.TryGetProperty("reason", out var r) ? r.GetString() : null;
            var shown = score.ToString("0.##", CultureInfo.InvariantCulture);
            return score >= judge.MinScore
                ? new("judge", true, $"Scored {shown} (at least {judge.MinScore:0.##}): {reason}") { Score = score }
                : new("judge", false, $"Scored {shown}, below {judge.MinScore:0.##}: {reason}") { Score = score };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new("judge", false, $"The judge's answer is not the JSON score it was asked for: \"{response.Text}\"");
        }
    }

    private static string Unfence(string text)
    {
        var trimmed = text.Trim();
        return trimmed.StartsWith("```", StringComparison.Ordinal) && trimmed.IndexOf('\n', StringComparison.Ordinal) is var start and > 0
            ? trimmed[(start + 1)..trimmed.LastIndexOf("```", StringComparison.Ordinal)].Trim()
            : trimmed;
    }
}
