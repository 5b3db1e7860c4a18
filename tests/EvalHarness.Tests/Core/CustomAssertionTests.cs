using EvalHarness.Core.Assertions;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

/// <summary>A custom assertion as a team would write one: the answer may have at most max_words words.</summary>
public sealed class ShortAnswerAssertion : ICaseAssertion
{
    public string Name => "short_answer";

    public AssertionVerdict Evaluate(AssertionContext context)
    {
        var max = context.Arguments.GetProperty("max_words").GetInt32();
        var words = context.Report.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return words <= max ? new("custom", true, $"{words} words, within {max}.") : new("custom", false, $"{words} words, more than {max}.");
    }
}

/// <summary>A custom assertion with a bug.</summary>
public sealed class BrokenAssertion : ICaseAssertion
{
    public string Name => "broken";

    public AssertionVerdict Evaluate(AssertionContext context) => throw new InvalidOperationException("oops");
}

public sealed class CustomAssertionTests : IDisposable
{
    /// <summary>The assertions are this test assembly, outside the temp folder the suites are written to.</summary>
    private static readonly SuiteLoadOptions Outside = new() { AllowOutside = true };

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Suite(string custom)
    {
        RepoPaths.CopyTree(RepoPaths.Suites, _temp.Path);
        var file = Path.Combine(_temp.Path, "support.yaml");
        var yaml = File.ReadAllText(file)
            .Replace("suite: support", $"suite: support\nassertions: ['{typeof(ShortAnswerAssertion).Assembly.Location}']", StringComparison.Ordinal)
            .Replace("      output: { contains: [shipped] }", $"      output: {{ contains: [shipped] }}\n      custom: {custom}", StringComparison.Ordinal);
        File.WriteAllText(file, yaml);
        return file;
    }

    [Fact]
    public async Task CustomAssertions_AreLoadedFromTheAssemblyAndJudgeTheRun()
    {
        var suite = SuiteLoader.Load(Suite("{ short_answer: { max_words: 8 }, broken: {} }"), Outside);

        var run = await EvalRunner.RunAsync(suite, new RunOptions { CassetteDirectory = RepoPaths.Cassettes, Filters = ["order-status"], Variants = ["default"] }, Ct);

        var verdicts = Assert.Single(run.Cases).Verdicts;
        Assert.Contains(verdicts, v => v is { Kind: "custom.short_answer", Passed: false, Reason: "14 words, more than 8." });
        Assert.Contains(verdicts, v => v is { Kind: "custom.broken", Passed: false, Reason: "The custom assertion threw InvalidOperationException: oops" });
        Assert.Contains("short_answer", suite.CustomAssertions.Keys);
    }

    [Fact]
    public void UnknownCustomAssertion_FailsAtLoadWithASuggestion()
    {
        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Load(Suite("{ short_answers: { max_words: 8 } }"), Outside));

        Assert.Contains("there is no custom assertion 'short_answers'. Did you mean 'short_answer'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingAssertionAssembly_FailsAtLoad()
    {
        var file = Suite("{ short_answer: { max_words: 8 } }");
        File.WriteAllText(file, File.ReadAllText(file).Replace(typeof(ShortAnswerAssertion).Assembly.Location, "bin/none.dll", StringComparison.Ordinal));

        Assert.Contains("the assertion assembly", Assert.Throws<SuiteException>(() => SuiteLoader.Load(file)).Message, StringComparison.Ordinal);
    }
}
