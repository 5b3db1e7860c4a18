using EvalHarness.Core.Results;

namespace EvalHarness.Tests.Support;

/// <summary>
/// A reports folder with runs of two suites, made by the real CLI from copies of the codefix and support suites: codefix
/// replayed twice, the second time with <c>hasty/fix-everything</c>'s step limit lowered from 8 to 6 so that case goes
/// from pass to fail (the same cassettes, so its transcript is the same on both sides), and support replayed once.
/// </summary>
public sealed class ViewFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();

    /// <summary>The reports folder.</summary>
    public string Reports => _temp.Combine("reports");

    /// <summary>The folder holding the suites (suites/) and the reports (reports/).</summary>
    public string Root => _temp.Path;

    /// <summary>The first codefix run (the base), the second, and the support run.</summary>
    public string CodefixA { get; private set; } = "";

    public string CodefixB { get; private set; } = "";

    public string Support { get; private set; } = "";

    /// <summary>The codefix suite's copy, and the cassette folder its runs read.</summary>
    public string CodefixSuite => _temp.Combine("suites", "codefix.yaml");

    public string Cassettes => _temp.Combine("suites", "cassettes");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        RepoPaths.CopyTree(Path.Combine(RepoPaths.Suites, "prompts"), _temp.Combine("suites", "prompts"));
        foreach (var suite in new[] { "codefix", "support" })
        {
            File.Copy(Path.Combine(RepoPaths.Suites, $"{suite}.yaml"), _temp.Combine("suites", $"{suite}.yaml"));
            RepoPaths.CopyTree(Path.Combine(RepoPaths.Cassettes, suite), Path.Combine(Cassettes, suite));
        }

        var codefix = await File.ReadAllTextAsync(CodefixSuite, cancellationToken);
        const string limit = "      max_steps: 6\n";
        Assert.Contains(limit, codefix, StringComparison.Ordinal);
        await File.WriteAllTextAsync(CodefixSuite, codefix.Replace(limit, "      max_steps: 8\n", StringComparison.Ordinal), cancellationToken);
        CodefixA = await RunAsync("codefix", ExitCodes.Failed, cancellationToken);
        await File.WriteAllTextAsync(CodefixSuite, codefix, cancellationToken);
        CodefixB = await RunAsync("codefix", ExitCodes.Failed, cancellationToken);
        Support = await RunAsync("support", ExitCodes.Ok, cancellationToken);
    }

    /// <summary>Replays a suite's copy into the fixture's reports folder and returns the new run's id.</summary>
    public Task<string> RunAsync(string suite, int exit, CancellationToken cancellationToken) => RunIntoAsync(Reports, suite, exit, cancellationToken);

    /// <summary>Replays a suite's copy into <paramref name="reports"/> and returns the new run's id.</summary>
    public async Task<string> RunIntoAsync(string reports, string suite, int exit, CancellationToken cancellationToken, params string[] more)
    {
        var runs = Path.Combine(reports, "runs");
        var before = Directory.Exists(runs) ? Directory.GetDirectories(runs).ToHashSet() : [];
        using var output = new StringWriter();
        var code = await Evalh.InvokeAsync(output, output, ["run", _temp.Combine("suites", $"{suite}.yaml"), "--cassettes", Cassettes, "--reports", reports, .. more], cancellationToken);
        Assert.True(code == exit, $"evalh run {suite} exited {code}, not {exit}: {output}");
        return Path.GetFileName(Directory.GetDirectories(runs).Single(d => !before.Contains(d)));
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
