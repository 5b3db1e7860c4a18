using EvalHarness.Core.Results;

namespace EvalHarness.Tests.Support;

/// <summary>
/// The gated codefix run of <see cref="ReportScenario"/>, replayed once for a test class: its report files as written,
/// and what <c>evalh gate</c> prints for it.
/// </summary>
public sealed class GatedRunFixture : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();

    /// <summary>The reports folder the run was written under.</summary>
    public string Reports => _temp.Combine("reports");

    /// <summary>The run's folder.</summary>
    public string Run { get; private set; } = "";

    /// <summary>The run's id, its folder's name.</summary>
    public string RunId => Path.GetFileName(Run);

    /// <summary>The console output of <c>evalh gate &lt;run&gt; --policy gate.yaml</c>, read after the report files.</summary>
    public string GateOutput { get; private set; } = "";

    /// <summary>The text of a file of the run's folder, as the run wrote it.</summary>
    public string File(string name) => _files[name];

    private readonly Dictionary<string, string> _files = [];

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Run = await ReportScenario.GatedCodefixRunAsync(Reports, cancellationToken);
        foreach (var name in new[] { "summary.md", "junit.xml", "results.json", "gate.json" })
        {
            _files[name] = await System.IO.File.ReadAllTextAsync(Path.Combine(Run, name), cancellationToken);
        }

        // evalh gate rewrites the run's reports with its verdict: run after they were read.
        using var output = new StringWriter();
        var exit = await Evalh.InvokeAsync(output, output, ["gate", Run, "--policy", Path.Combine(Reports, "gate.yaml")], cancellationToken);
        GateOutput = exit == ExitCodes.Failed ? output.ToString() : throw new InvalidOperationException($"evalh gate should fail the codefix run (exit 1), not exit {exit}: {output}");
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
