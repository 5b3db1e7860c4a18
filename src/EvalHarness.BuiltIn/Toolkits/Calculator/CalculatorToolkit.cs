using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>Exact decimal arithmetic.</summary>
internal sealed class CalculatorToolkit : BuiltInToolkit
{
    public override string Name => "calculator";

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("evaluate", env => AIFunctionFactory.Create(
            ([Description("Arithmetic such as (1200 + 340.5) * 0.2")] string expression) => SqlDatabase.Format(Calculator.Evaluate(expression)),
            "calculate", "Evaluates an arithmetic expression exactly.")),
    ];
}
