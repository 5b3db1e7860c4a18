using EvalHarness.Core.UnderTest;

namespace EvalHarness.Xunit;

/// <summary>How <see cref="SuiteGate"/> runs a suite. Every path is found as <see cref="SuiteCasesAttribute"/> finds the suite.</summary>
public sealed record SuiteGateOptions
{
    /// <summary>The cassette folder; null for the suite's <c>cassettes.dir</c>, else <c>cassettes</c>.</summary>
    public string? Cassettes { get; init; }

    /// <summary>
    /// The reports folder that holds the blessed baselines, the history and the runs. Default <c>reports</c>: the one found
    /// in the current folder or a folder above the test assembly, else a new one in the folder the suite was found from.
    /// </summary>
    public string Reports { get; init; } = "reports";

    /// <summary>The run to compare with; null for the suite's blessed baseline.</summary>
    public string? Baseline { get; init; }

    /// <summary>The agent under test, given in code; null for the agent the suite names.</summary>
    public OwnAgent? Agent { get; init; }
}
