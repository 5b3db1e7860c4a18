using System.Globalization;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>A frozen clock: the fixtures' <c>now</c>, the same on every run.</summary>
internal sealed class ClockToolkit : BuiltInToolkit
{
    public override string Name => "clock";

    public override IReadOnlyList<string> FixtureKeys => ["now"];

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("now", env => AIFunctionFactory.Create(
            () => env.Now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z' (dddd)", CultureInfo.InvariantCulture),
            "now", "The current date and time (UTC).")),
    ];
}
