namespace EvalHarness.Reports.Charts;

/// <summary>A chart of a run folder: <c>charts/&lt;name&gt;.png</c> and <c>.svg</c>, paths relative to the folder.</summary>
/// <param name="Name">The file name without extension.</param>
/// <param name="Title">What the chart shows, its alt text in summary.md.</param>
internal sealed record RunChart(string Name, string Title)
{
    /// <summary>The PNG's path relative to the run folder, with forward slashes as a Markdown link wants.</summary>
    public string Png => $"{RunCharts.Folder}/{Name}.png";

    /// <summary>The SVG's path relative to the run folder.</summary>
    public string Svg => $"{RunCharts.Folder}/{Name}.svg";
}
