using System.Text.Json;
using EvalHarness.BuiltIn;

namespace EvalHarness.Tests.Core;

public sealed class ToolkitTests
{
    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("-4 + 10 / 4", "-1.5")]
    [InlineData("1200.50 * 0.2 - 0.1", "240")]
    [InlineData("7 % 3", "1")]
    public void Calculator_EvaluatesWithPrecedence(string expression, string expected) =>
        Assert.Equal(expected, Calculator.Evaluate(expression).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("1 / 0", "Division by zero.")]
    [InlineData("2 + system('rm')", "Unexpected 's' at position 5.")]
    [InlineData("(1 + 2", "A '(' is never closed.")]
    public void Calculator_RejectsWhatIsNotArithmetic(string expression, string message) =>
        Assert.Equal(message, Assert.Throws<FormatException>(() => Calculator.Evaluate(expression)).Message);

    private static readonly Dictionary<string, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> Sales = new()
    {
        ["sales"] =
        [
            new Dictionary<string, JsonElement> { ["region"] = JsonSerializer.SerializeToElement("north"), ["amount"] = JsonSerializer.SerializeToElement(120.5m) },
            new Dictionary<string, JsonElement> { ["region"] = JsonSerializer.SerializeToElement("south"), ["amount"] = JsonSerializer.SerializeToElement(80) },
            new Dictionary<string, JsonElement> { ["region"] = JsonSerializer.SerializeToElement("north"), ["amount"] = JsonSerializer.SerializeToElement(9.5m) },
        ],
    };

    [Fact]
    public void Sql_AnswersSelects()
    {
        using var db = new SqlDatabase(Sales);

        var rows = db.Query("SELECT region, SUM(amount) AS total FROM sales GROUP BY region ORDER BY region");

        Assert.Equal(["north", "south"], rows.Select(r => r["region"]));
        Assert.Equal(130.0, Convert.ToDouble(rows[0]["total"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("DELETE FROM sales", "Only SELECT queries are allowed")]
    [InlineData("SELECT * FROM sales; DROP TABLE sales", "One statement at a time")]
    [InlineData("SELECT nope FROM sales", "SQLite: no such column: nope")]
    public void Sql_RefusesWritesAndReportsErrors(string sql, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidOperationException>(() => new SqlDatabase(Sales).Query(sql)).Message, StringComparison.Ordinal);

    [Fact]
    public void Workspace_ReadsWritesAndStaysInside()
    {
        var workspace = new Workspace(new Dictionary<string, string> { ["src/calc.py"] = "return a - b" });

        workspace.Write("./src/calc.py", "return a + b");

        Assert.Equal("return a + b", workspace.Read("src//calc.py"));
        Assert.Throws<InvalidOperationException>(() => workspace.Read("../etc/passwd"));
        Assert.Throws<InvalidOperationException>(() => workspace.Write("/etc/passwd", "x"));
    }

    [Fact]
    public void TestRunner_PassesWhenTheWorkspaceDoesWhatTheTestsExpect()
    {
        using var env = CaseEnvironment.Create(new Fixtures
        {
            Files = new Dictionary<string, string> { ["calc.py"] = "def add(a, b): return a - b" },
            Tests = [new TestSpec("test_add", "calc.py", "return a + b")],
        });

        var before = env.RunTests();
        env.Workspace.Write("calc.py", "def add(a, b): return a + b");
        var after = env.RunTests();

        Assert.Equal((0, 1), (before.Passed, before.Failures.Count));
        Assert.Equal((1, 0), (after.Passed, after.Failures.Count));
        Assert.Equal(JsonValueKind.True, StateReader.Read(env, "tests.passing")!.Value.ValueKind);
    }

    [Fact]
    public void StateReader_MailIndexPastAnyInt_IsMissingNotACrash()
    {
        using var env = CaseEnvironment.Create(new Fixtures());

        Assert.True(StateReader.IsValid("mail.sent[99999999999].to"));
        Assert.Null(StateReader.Read(env, "mail.sent[99999999999].to"));
    }
}
