using EvalHarness.Core.Application;
using System.ComponentModel;
using System.Text.Json;
using EvalHarness.Core.Suites;
using EvalHarness.BuiltIn;
using EvalHarness.Reports;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Core;

/// <summary>A team's own toolkit for the built-in runtime: loyalty points, seeded from <c>fixtures.members</c>.</summary>
public sealed class LoyaltyToolkit : IToolkit
{
    public string Name => "loyalty";

    public IReadOnlyList<string> FixtureKeys => ["members"];

    public IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        new("points_of", state => AIFunctionFactory.Create(
            ([Description("The member id")] string member_id) => ((Members)state).Points.TryGetValue(member_id, out var points) ? points : throw new InvalidOperationException($"No member {member_id}."),
            "points_of", "A member's loyalty points.")),
        new("award_points", state => AIFunctionFactory.Create(
            ([Description("The member id")] string member_id, [Description("Points to add")] int points) => ((Members)state).Award(member_id, points),
            "award_points", "Adds loyalty points to a member.")) { SideEffecting = true },
    ];

    public IToolkitState CreateState(ToolkitContext context) =>
        new Members(context.Fixtures.TryGetValue("members", out var members)
            ? members.EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("points").GetInt32())
            : []);

    private sealed class Members(Dictionary<string, int> points) : IToolkitState
    {
        public Dictionary<string, int> Points { get; } = points;

        public int Awards { get; private set; }

        public int Award(string member, int points)
        {
            Awards++;
            return Points[member] += points;
        }

        // loyalty.<member>.points and loyalty.awards
        public JsonElement? Read(string path) => path == "awards" ? JsonSerializer.SerializeToElement(Awards)
            : path.Split('.') is [var member, "points"] && Points.TryGetValue(member, out var p) ? JsonSerializer.SerializeToElement(p)
            : null;

        public void Dispose()
        {
        }
    }
}

public sealed class OwnToolkitTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <summary>The toolkit is this test assembly, outside the temp folder the suites are written to.</summary>
    private static readonly SuiteLoadOptions Outside = new() { AllowOutside = true };

    public void Dispose() => _temp.Dispose();

    private static string Suite(string tools = "[loyalty.points_of, loyalty.award_points, orders.lookup_order]") => $$"""
        suite: loyal
        toolkits: ['{{typeof(LoyaltyToolkit).Assembly.Location}}']
        agent:
          model: openai:gpt-4o-mini
          system_prompt: You manage loyalty points.
          tools: {{tools}}
        fixtures:
          members: [{ id: M1, points: 100 }]
          orders: [{ id: A1, customer: m1@example.com, total: 50, status: delivered, item: mug }]
        scenarios:
          - name: award
            input: "Give M1 fifty points for order A1."
            expect:
              tools: { called: [{ name: loyalty.award_points, args: { member_id: M1, points: 50 } }] }
              state: { loyalty.M1.points: 150, loyalty.awards: 1, orders.A1.status: delivered }
        """;

    private const string Script = """
        default:
          award:
            - tools: [{ lookup_order: { order_id: A1 } }]
            - tools: [{ award_points: { member_id: M1, points: 50 } }]
            - text: "M1 now has 150 points."
        """;

    [Fact]
    public async Task Suite_OwnToolkit_GivesTheBuiltInRuntimeItsToolsFixturesAndState()
    {
        var suite = _temp.Write("loyal.yaml", Suite());
        _temp.Write("scripts/loyal.yaml", Script);
        var options = new EvaluationOptions { AllowOutside = true, CassetteDirectory = _temp.Combine("cassettes"), ReportsDirectory = _temp.Combine("reports") };

        var recorded = await Evaluation.RunAsync(suite, options with { Upstream = "scripted" }, TestContext.Current.CancellationToken);
        var replayed = await Evaluation.RunAsync(suite, options, TestContext.Current.CancellationToken);

        Assert.Equal((0, 0), (recorded.ExitCode, replayed.ExitCode));
        var award = Assert.Single(replayed.Run.Cases);
        Assert.Equal(["orders.lookup_order", "loyalty.award_points"], award.ToolCalls.Select(c => c.Tool));
        Assert.Equal("150", award.ToolCalls[1].Result);
        Assert.Contains(award.Verdicts, v => v.Reason == "loyalty.M1.points is 150.");
    }

    [Theory]
    [InlineData("[loyalty.award_point]", "unknown tool 'loyalty.award_point'. Did you mean 'loyalty.award_points'?")]
    [InlineData("[loyalty.points_of, loyalty.points_of]", "'loyalty.points_of' is listed twice")]
    public void Load_ToolOfAnOwnToolkit_IsCheckedLikeABuiltInOne(string tools, string message)
    {
        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Parse(_temp.Combine("loyal.yaml"), Suite(tools), Outside));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void Load_ToolkitAssemblyMissing_NamesItAndSaysToBuild()
    {
        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Parse(
            _temp.Combine("loyal.yaml"), Suite().Replace(typeof(LoyaltyToolkit).Assembly.Location, "bin/Loyalty.dll", StringComparison.Ordinal)));

        Assert.Equal((2, 12), (error.Line, error.Column));
        Assert.Contains("the toolkit assembly 'bin/Loyalty.dll' does not exist. Build it first", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orders", "members", "is named 'orders', like a built-in toolkit")]
    [InlineData("loyalty2", "orders", "reads the fixture key 'orders', which another toolkit reads")]
    [InlineData("bad name", "members", "a toolkit's name holds only letters, digits and '_'")]
    public void Check_ToolkitThatClashes_IsRefused(string name, string fixtureKey, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ToolkitAssemblies.Check(new Renamed(name, fixtureKey), []));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private sealed class Renamed(string name, string fixtureKey) : IToolkit
    {
        public string Name => name;

        public IReadOnlyList<string> FixtureKeys => [fixtureKey];

        public IReadOnlyList<ToolkitTool> Tools => new LoyaltyToolkit().Tools;

        public IToolkitState CreateState(ToolkitContext context) => new LoyaltyToolkit().CreateState(context);
    }
}
