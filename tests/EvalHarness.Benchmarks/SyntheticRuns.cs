using EvalHarness.Core.Results;
using EvalHarness.Core.Statistics;
using EvalHarness.Reports.History;

namespace EvalHarness.Benchmarks;

/// <summary>
/// Runs of a given size that look like real ones: two variants, a fifth of the cases failing, a transcript of six
/// messages, two tool calls and a trace of seven spans per case; a baseline; and thirty runs of history.
/// </summary>
internal static class SyntheticRuns
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    public static RunResult Run(int cases, string runId = "20261122-090000-bench-current", int seed = 1)
    {
        var random = new Random(seed);
        var list = new List<CaseResult>(cases);
        for (var i = 0; i < cases; i++)
        {
            var variant = i < cases / 2 ? "default" : "prompt-v2";
            var scenario = $"scenario-{i % Math.Max(1, cases / 2):00000}";
            var passed = random.NextDouble() > 0.2;
            var latency = Math.Round(400 + (random.NextDouble() * 2400), 1);
            list.Add(new CaseResult
            {
                Suite = "bench",
                Index = i,
                Variant = variant,
                Scenario = scenario,
                Trial = 1,
                CassetteId = $"bench/{variant}/{scenario}/t1",
                Tags = [i % 3 == 0 ? "refund" : "status", "orders"],
                Critical = i % 50 == 0,
                Model = "openai:gpt-4o-mini",
                Passed = passed,
                Outcome = "completed",
                OutcomeReason = "The model gave a final answer.",
                FinalOutput = $"Order A{i} was refunded in full: $42.00 goes back to your card within five days.",
                Steps = 2 + random.Next(4),
                ToolCallCount = 2,
                ToolErrors = 0,
                InputTokens = 900 + random.Next(600),
                OutputTokens = 40 + random.Next(80),
                CostUsd = 0.00016m + (random.Next(100) / 1_000_000m),
                ModelLatencyMs = latency,
                HarnessMs = 1.2,
                LatencyMs = latency,
                Verdicts =
                [
                    new("outcome", true, "The run ended completed, as expected."),
                    new("output.contains", passed, passed ? "The output contains \"refund\"." : "The output does not contain \"refund\"."),
                    new("tools.called", true, "orders.refund_order was called with order_id A100."),
                ],
                ToolCalls =
                [
                    new(1, "orders.lookup_order", $$"""{"order_id":"A{{i}}"}""", """{"id":"A100","customer":"ana@example.com","total":42.0,"status":"delivered"}""", false),
                    new(2, "orders.refund_order", $$"""{"order_id":"A{{i}}","reason":"broken"}""", """{"status":"refunded","amount":42.0}""", false),
                ],
                Transcript =
                [
                    new("system", "You are a support agent for an online shop. Use the tools to look orders up and refund them."),
                    new("user", $"Order A{i} arrived broken, I want my money back."),
                    new("assistant", $"→ orders.lookup_order({{\"order_id\":\"A{i}\"}})"),
                    new("tool", "← {\"id\":\"A100\",\"status\":\"delivered\"}"),
                    new("assistant", $"→ orders.refund_order({{\"order_id\":\"A{i}\",\"reason\":\"broken\"}})"),
                    new("assistant", $"Order A{i} was refunded in full: $42.00 goes back to your card within five days."),
                ],
                Trace =
                [
                    Span(1, 0, "run", "agent", 0, latency), Span(2, 1, "step", "1", 0, latency / 3), Span(3, 2, "model", "gpt-4o-mini", 0, latency / 3),
                    Span(4, 1, "step", "2", latency / 3, latency / 3), Span(5, 4, "model", "gpt-4o-mini", latency / 3, latency / 3),
                    Span(6, 4, "tool", "orders.refund_order", 2 * latency / 3, 1), Span(7, 1, "step", "3", 2 * latency / 3, latency / 3),
                ],
            });
        }

        return new RunResult
        {
            RunId = runId,
            Suite = "bench",
            SuiteFile = "suites/bench.yaml",
            Mode = "replay",
            StartedAt = Start.AddDays(30),
            DurationMs = 1000,
            PricingVersion = "2026-11-01",
            Git = new GitInfo("0123456789abcdef0123456789abcdef01234567", "main"),
            Summary = RunSummary.Of(list),
            Groups = GroupSummary.Of(list),
            Cases = list,
        };
    }

    /// <summary>Thirty earlier runs of the same cases, as history rows.</summary>
    public static List<HistoryEntry> History(RunResult run, int runs = 30)
    {
        var rows = new List<HistoryEntry>(run.Cases.Count * runs);
        for (var r = 0; r < runs; r++)
        {
            var random = new Random(r);
            rows.AddRange(run.Cases.Select(c => new HistoryEntry(
                $"20261101-0900{r:00}-bench", Start.AddDays(r), run.Suite, c.Variant, c.Scenario, c.Trial, random.NextDouble() > 0.2, false, c.Steps, c.CostUsd, c.LatencyMs, string.Empty)));
        }

        return rows;
    }

    private static TraceSpan Span(int id, int parent, string kind, string name, double start, double duration) =>
        new(id, parent, kind, name, Math.Round(start, 1), Math.Round(duration, 1), "ok", new Dictionary<string, string> { ["tokens"] = "1200" });
}
