using EvalHarness.Reports.Viewer;

namespace EvalHarness.Tests.Reports;

/// <summary>Where two runs of a case sent different requests, by JSON path, as the side-by-side page shows it.</summary>
public sealed class RequestDiffTests
{
    [Fact]
    public void Between_TheSameCase_FindsNothing()
    {
        var c = RunWriterTests.Case("refund", true);

        Assert.Empty(RequestDiff.Between(c, c with { Passed = false }));
    }

    [Fact]
    public void Between_AMessageThatChanged_NamesItsPathAndBothValues()
    {
        var a = RunWriterTests.Case("refund", true);
        var b = a with { Transcript = [new("user", "Refund A100"), new("assistant", "I cannot refund that.")] };

        var d = Assert.Single(RequestDiff.Between(a, b));

        Assert.Equal(new RequestDifference("$.messages[1].content", "Refunded.", "I cannot refund that."), d);
    }

    [Fact]
    public void Between_ToolArguments_AreComparedFieldByField()
    {
        var a = RunWriterTests.Case("refund", true);
        var b = a with { ToolCalls = [new(1, "orders.refund_order", """{"order_id":"A101","reason":"late"}""", """{"status":"refunded"}""", false)] };

        var found = RequestDiff.Between(a, b);

        Assert.Equal(
            [new RequestDifference("$.tool_calls[0].arguments.order_id", "\"A100\"", "\"A101\""), new RequestDifference("$.tool_calls[0].arguments.reason", null, "\"late\"")],
            found);
    }

    [Fact]
    public void Between_AConversationThatWentFurther_ListsTheMessagesOnlyOneSideHas()
    {
        var a = RunWriterTests.Case("refund", true);
        var b = a with { Transcript = [.. a.Transcript, new("user", "Thanks"), new("assistant", "You're welcome.")] };

        var found = RequestDiff.Between(a, b);

        Assert.Equal(["$.messages[2]", "$.messages[3]"], found.Select(d => d.Path));
        Assert.All(found, d => Assert.Null(d.A));
        Assert.Equal("user: Thanks", found[0].B);
    }

    [Fact]
    public void Between_ManyDifferences_StopsAtTheMost()
    {
        var a = RunWriterTests.Case("refund", true) with { Transcript = [.. Enumerable.Range(0, 100).Select(i => new TranscriptEntry("user", $"a{i}"))] };
        var b = a with { Transcript = [.. Enumerable.Range(0, 100).Select(i => new TranscriptEntry("user", $"b{i}"))] };

        Assert.Equal(RequestDiff.Max, RequestDiff.Between(a, b).Count);
    }
}
