using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>A knowledge base: search by words, read a document whole.</summary>
internal sealed class DocsToolkit : BuiltInToolkit
{
    public override string Name => "docs";

    public override IReadOnlyList<string> FixtureKeys => ["documents"];

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("search", env => AIFunctionFactory.Create(
            ([Description("Words to search for")] string query) =>
            {
                var words = query.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return env.Documents
                    .Select(d => (d, score: words.Count(w => d.Title.Contains(w, StringComparison.OrdinalIgnoreCase) || d.Text.Contains(w, StringComparison.OrdinalIgnoreCase))))
                    .Where(x => x.score > 0).OrderByDescending(x => x.score).ThenBy(x => x.d.Id, StringComparer.Ordinal)
                    .Select(x => new { x.d.Id, x.d.Title }).ToList();
            },
            "search_docs", "Searches the knowledge base; returns matching document ids and titles.")),
        Tool("read", env => AIFunctionFactory.Create(
            ([Description("The document id")] string doc_id) =>
                env.Documents.FirstOrDefault(d => d.Id.Equals(doc_id, StringComparison.OrdinalIgnoreCase))?.Text
                ?? throw new InvalidOperationException($"There is no document '{doc_id}'."),
            "read_doc", "Reads a document of the knowledge base in full.")),
    ];
}
