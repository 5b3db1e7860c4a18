using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>Web pages served from the fixtures, never from the network.</summary>
internal sealed class WebToolkit : BuiltInToolkit
{
    public override string Name => "web";

    public override IReadOnlyList<string> FixtureKeys => ["pages"];

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("fetch", env => AIFunctionFactory.Create(
            ([Description("The page's URL")] string url) =>
                env.Pages.TryGetValue(url.Trim(), out var page) ? page : throw new InvalidOperationException($"404: there is no page at {url}."),
            "fetch_page", "Fetches a web page and returns its text.")),
    ];
}
