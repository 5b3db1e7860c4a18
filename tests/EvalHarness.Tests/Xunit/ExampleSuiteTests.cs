using EvalHarness.Tests.Support;
using EvalHarness.Xunit;

namespace EvalHarness.Tests.Xunit;

/// <summary>Every example suite, replayed from its committed cassettes: one test per scenario × variant × trial.</summary>
public sealed class ExampleSuiteTests
{
    [Theory]
    [SuiteCases("suites/support.yaml")]
    [SuiteCases("suites/resilience.yaml")]
    [SuiteCases("suites/safety.yaml")]
    [SuiteCases("suites/triage.yaml")]
    [SuiteCases("suites/team.yaml")]
    [SuiteCases("suites/digest.yaml")]
    [SuiteCases("suites/analytics.yaml")]
    [SuiteCases("suites/conversations.yaml")]
    public Task Replays(string suite, string cassettes, string caseId) => SuiteReplay.AssertPassesAsync(suite, cassettes, caseId);

    [Fact]
    public void EverySuiteFile_IsListedAbove()
    {
        var listed = typeof(ExampleSuiteTests).GetMethod(nameof(Replays))!.GetCustomAttributes(typeof(SuiteCasesAttribute), false)
            .Cast<SuiteCasesAttribute>().Select(a => Path.GetFileName(a.Suite)).Append("codefix.yaml").Order();

        Assert.Equal(Directory.GetFiles(RepoPaths.Suites, "*.yaml").Select(Path.GetFileName).Order(), listed);
    }

    [Fact]
    public async Task SuiteCases_NameEachCaseByItsCassetteId()
    {
        var rows = await new SuiteCasesAttribute("suites/team.yaml").GetData(typeof(ExampleSuiteTests).GetMethod(nameof(Replays))!, new global::Xunit.Sdk.DisposalTracker());

        Assert.Equal(["team/default/refund-through-billing/t1", "team/default/both-specialists-at-once/t1"], rows.Select(r => r.TestDisplayName));
        Assert.All(rows, r => Assert.Equal("team", Assert.Single(r.Traits!["suite"])));
    }

    [Fact]
    public async Task AssertPasses_FailingCase_ReportsEveryFailedAssertion()
    {
        using var temp = new TempDirectory();
        RepoPaths.CopyTree(RepoPaths.Suites, temp.Path);
        var suite = Path.Combine(temp.Path, "digest.yaml");
        File.WriteAllText(suite, File.ReadAllText(suite).Replace("contains: [Portugal, \"45 days\"]", "contains: [Spain, \"45 days\"]", StringComparison.Ordinal));

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => SuiteReplay.AssertPassesAsync(suite, RepoPaths.Cassettes, "digest/default/weekly-digest/t1"));

        Assert.Contains("digest/default/weekly-digest/t1 failed", failure.Message, StringComparison.Ordinal);
        Assert.Contains("output.contains: The output does not contain \"Spain\"", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>The codefix suite compares two prompts on purpose: the hasty one fails where the careful one passes.</summary>
    [Fact]
    public async Task CodeFix_TheHastyVariantFailsWhereTheCarefulOnePasses()
    {
        var suite = Path.Combine(RepoPaths.Suites, "codefix.yaml");
        var careful = new List<string>();
        var hasty = new List<(string Case, bool Passed)>();
        foreach (var scenario in new[] { "fix-add", "fix-slugify", "fix-everything", "report-only" })
        {
            careful.Add((await SuiteReplay.RunAsync(suite, RepoPaths.Cassettes, $"codefix/careful/{scenario}/t1")).Passed ? scenario : $"{scenario} FAILED");
            var result = await SuiteReplay.RunAsync(suite, RepoPaths.Cassettes, $"codefix/hasty/{scenario}/t1");
            hasty.Add((scenario, result.Passed));
        }

        Assert.Equal(["fix-add", "fix-slugify", "fix-everything", "report-only"], careful);
        Assert.Equal([("fix-add", false), ("fix-slugify", true), ("fix-everything", false), ("report-only", true)], hasty);
        var hastyFix = await SuiteReplay.RunAsync(suite, RepoPaths.Cassettes, "codefix/hasty/fix-add/t1");
        Assert.Contains(hastyFix.Verdicts, v => v.Reason == "tests.failed is 2, expected 1.");
    }
}
