using System.Text.Json;
using EvalHarness.Cassettes.Matching;

namespace EvalHarness.Tests.Cassettes;

public sealed class JsonDiffTests
{
    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void First_SameValuesInAnotherKeyOrder_IsNull() =>
        Assert.Null(JsonDiff.First(J("""{"a":1,"b":[true,"x"]}"""), J("""{"b":[true,"x"],"a":1.0}""")));

    [Fact]
    public void First_NestedValueDiffers_ReportsItsPathAndBothValues()
    {
        var difference = JsonDiff.First(J("""{"messages":[{"role":"user","content":"hi"}]}"""), J("""{"messages":[{"role":"user","content":"hello"}]}"""));

        Assert.Equal(new JsonDifference("$.messages[0].content", "\"hi\"", "\"hello\""), difference);
    }

    [Fact]
    public void First_ArrayLonger_ReportsTheExtraItem()
    {
        var difference = JsonDiff.First(J("[1,2]"), J("[1,2,3]"));

        Assert.Equal(new JsonDifference("$[2]", "(missing)", "3"), difference);
    }

    [Fact]
    public void First_PropertyMissingOrAdded_SaysWhich()
    {
        Assert.Equal(new JsonDifference("$.user", "\"u1\"", "(missing)"), JsonDiff.First(J("""{"user":"u1"}"""), J("{}")));
        Assert.Equal(new JsonDifference("$.seed", "(missing)", "7"), JsonDiff.First(J("{}"), J("""{"seed":7}""")));
    }

    [Fact]
    public void First_IgnoredPath_IsNotCompared() =>
        Assert.Null(JsonDiff.First(J("""{"user":"a","n":1}"""), J("""{"user":"b","n":1}"""), new HashSet<string> { "$.user" }));

    [Theory]
    [InlineData("$.messages[?(@.role=='tool')].content")]
    [InlineData("$.messages[?(@.role == \"tool\")].content")]
    [InlineData("$.messages[?(@.role=='tool')]")]
    public void First_IgnoredPathWithAFilter_SkipsTheItemsThatMatchItOnBothSides(string ignored)
    {
        var recorded = J("""{"messages":[{"role":"user","content":"hi"},{"role":"tool","content":"10:00"}]}""");
        var ignore = new HashSet<string> { ignored };

        Assert.Null(JsonDiff.First(recorded, J("""{"messages":[{"role":"user","content":"hi"},{"role":"tool","content":"10:05"}]}"""), ignore));
        Assert.Equal("$.messages[0].content", JsonDiff.First(recorded, J("""{"messages":[{"role":"user","content":"hello"},{"role":"tool","content":"10:00"}]}"""), ignore)?.Path);
        Assert.Equal("$.messages[1].role", JsonDiff.First(recorded, J("""{"messages":[{"role":"user","content":"hi"},{"role":"user","content":"10:00"}]}"""), ignore)?.Path);
    }

    [Fact]
    public void First_LongTextsDiffer_ShowsWhereTheyDiffer()
    {
        var prefix = new string('x', 300);
        var difference = JsonDiff.First(J($$"""{"p":"{{prefix}} politely."}"""), J($$"""{"p":"{{prefix}} kindly."}"""))!;

        Assert.Equal("$.p (from character 302)", difference.Path);
        Assert.Contains("politely", difference.Expected, StringComparison.Ordinal);
        Assert.Contains("kindly", difference.Actual, StringComparison.Ordinal);
    }

    [Fact]
    public void First_TypeChanged_Differs() =>
        Assert.Equal("$.n", JsonDiff.First(J("""{"n":1}"""), J("""{"n":"1"}"""))!.Path);
}
