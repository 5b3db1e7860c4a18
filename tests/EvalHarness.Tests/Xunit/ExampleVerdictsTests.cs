using EvalHarness.Core.Application;
using EvalHarness.Core.Results;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Xunit;

/// <summary>
/// The example suites' verdicts, outcomes and counters, case by case, as example-verdicts.txt has them. A change to
/// the runtime or its clients that needs the cassettes re-recorded must leave these as they were: the same
/// scenarios pass and fail for the same reasons. Steps, tokens and cost may move with the request bytes; these may not.
/// </summary>
public sealed class ExampleVerdictsTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>One line per case: <c>id: pass|FAIL outcome | verdict kinds (✗ when failed) | counters</c>.</summary>
    internal static string Line(CaseResult c)
    {
        var verdicts = string.Join(' ', c.Verdicts.Select(v => v.Kind + (v.Passed ? string.Empty : "✗")));
        var counters = string.Join(' ', c.Counters.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        return $"{c.CassetteId}: {(c.Passed ? "pass" : "FAIL")} {c.Outcome} | {verdicts} | {counters}".TrimEnd(' ', '|');
    }

    [Fact]
    public async Task EveryExampleSuite_ReplaysWithTheVerdictsAndCountersOnRecord()
    {
        var expected = File.ReadAllLines(Path.Combine(RepoPaths.Root, "tests", "EvalHarness.Tests", "Xunit", "example-verdicts.txt"));
        var actual = new List<string>();
        foreach (var suite in Directory.GetFiles(RepoPaths.Suites, "*.yaml").Order(StringComparer.Ordinal))
        {
            var result = await Evaluation.RunAsync(suite, new EvaluationOptions { CassetteDirectory = RepoPaths.Cassettes, ReportsDirectory = _temp.Path }, Ct);
            actual.AddRange(result.Run.Cases.Select(Line));
        }

        actual.Sort(StringComparer.Ordinal);
        Assert.True(
            expected.SequenceEqual(actual),
            "The example suites' verdicts changed. Differences (- on record, + now):\n"
                + string.Join('\n', expected.Except(actual).Select(l => "- " + l).Concat(actual.Except(expected).Select(l => "+ " + l))));
    }
}
