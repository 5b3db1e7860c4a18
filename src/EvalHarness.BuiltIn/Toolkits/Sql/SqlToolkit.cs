using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>Read-only SQL over the fixtures' tables (SQLite in memory).</summary>
internal sealed class SqlToolkit : BuiltInToolkit
{
    public override string Name => "sql";

    public override IReadOnlyList<string> FixtureKeys => ["tables"];

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("query", env => AIFunctionFactory.Create(
            ([Description("One read-only SELECT statement")] string sql) =>
                (env.Sql ?? throw new InvalidOperationException("This suite has no tables.")).Query(sql),
            "query", "Runs a read-only SQL SELECT over the analytics database (SQLite) and returns the rows.")),
    ];
}
