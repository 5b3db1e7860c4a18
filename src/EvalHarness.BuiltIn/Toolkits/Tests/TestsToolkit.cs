using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>A scripted test runner over the files toolkit's workspace.</summary>
internal sealed class TestsToolkit : BuiltInToolkit
{
    public override string Name => "tests";

    public override IReadOnlyList<string> FixtureKeys => ["tests"];

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("run_tests", env => AIFunctionFactory.Create(
            () =>
            {
                var (passed, failures) = env.RunTests();
                return failures.Count == 0 ? $"All {passed} test(s) passed." : $"{passed} passed, {failures.Count} failed:\n- {string.Join("\n- ", failures)}";
            },
            "run_tests", "Runs the project's tests against the workspace and reports which fail.")),
    ];
}
