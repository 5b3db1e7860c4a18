using EvalHarness.Cli.Commands;
using EvalHarness.Reports;
using EvalHarness.Tests.Reports;
using Spectre.Console;

namespace EvalHarness.Tests.Cli;

public sealed class SummaryPrinterTests
{
    private static string Print(int cases, int failing)
    {
        var all = Enumerable.Range(0, cases)
            .Select(i => RunWriterTests.Case($"s{i}", passed: i >= failing, variant: i % 2 == 0 ? "careful" : "hasty") with { Index = i })
            .ToArray();
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 160;
        SummaryPrinter.Print(console, ReportContext.Create(RunWriterTests.Run(all)), "report.html");
        return output.ToString();
    }

    [Fact]
    public void Print_SmallRun_HasARowPerCaseAndEveryFailure()
    {
        var text = Print(cases: 6, failing: 2);

        Assert.Contains("Scenario", text, StringComparison.Ordinal);
        Assert.Contains("support/careful/s0/t1", text, StringComparison.Ordinal);
        Assert.Contains("support/hasty/s1/t1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("more failed case", text, StringComparison.Ordinal);
        Assert.Contains("recorded latency p50 814 ms, p95 814 ms · cases ran in 0.12 s", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Print_LargeRun_HasARowPerVariantAndCountsTheFailuresNotShown()
    {
        var text = Print(cases: SummaryPrinter.MaxCaseRows + 50, failing: SummaryPrinter.MaxFailuresShown + 7);

        Assert.DoesNotContain("Scenario", text, StringComparison.Ordinal);
        Assert.Matches(@"careful\s*│\s*75\s*│\s*46\s*│\s*29\s*│\s*0", text);
        Assert.Matches(@"hasty\s*│\s*75\s*│\s*47\s*│\s*28\s*│\s*0", text);
        Assert.Equal(SummaryPrinter.MaxFailuresShown, text.Split('✗').Length - 1);
        Assert.Contains("… and 7 more failed case(s): the report lists them all.", text, StringComparison.Ordinal);
    }
}
