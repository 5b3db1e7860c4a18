using EvalHarness.Reports.Csv;
using EvalHarness.Reports.History;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Reports;

/// <summary>The comma-separated text of cases.csv and the history file: quoting, formulas, numbers, and reading it back.</summary>
public sealed class CsvTextTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Write_QuotesWhatNeedsIt_EscapesFormulas_AndKeepsNumbersInvariant()
    {
        var csv = new CsvText().Header(["a", "b", "c", "d", "e", "f", "g"])
            .Text("plain").Text("a, b").Text("say \"hi\"\nthen go").Text("=HYPERLINK(\"x\")").Value(0.00030390m).Value(813.7).Value(true).EndLine()
            .Text(null).Text("-1").Text("@x").Value((decimal?)null).Value(-2L).Value(1e-7).Value(false).EndLine();

        Assert.Equal(
            "a,b,c,d,e,f,g\r\n"
            + "plain,\"a, b\",\"say \"\"hi\"\"\nthen go\",\"'=HYPERLINK(\"\"x\"\")\",0.00030390,813.7,True\r\n"
            + ",'-1,'@x,,-2,1E-07,False\r\n",
            csv.ToString());
    }

    [Fact]
    public void Read_GivesBackWhatWasWritten_WithTheLineEachRecordStartsOn()
    {
        var written = new CsvText().Header(["x", "y"]).Text("a, b").Text("two\r\nlines").EndLine().Text("").Text("\"").EndLine().ToString();

        var records = CsvText.Read(new StringReader(written + "\n")).ToList();

        Assert.Equal([1, 2, 4], records.Select(r => r.Line));
        Assert.Equal(["x", "y"], records[0].Fields);
        Assert.Equal(["a, b", "two\r\nlines"], records[1].Fields);
        Assert.Equal(["", "\""], records[2].Fields);
        Assert.Equal([["p", "q"]], CsvText.Read(new StringReader("p,q")).Select(r => r.Fields)); // no line end at the end
    }

    [Theory]
    [InlineData("a,\"open\nb\n", "line 1: a quoted field is not closed")]
    [InlineData("a,b\n\"x\"y,z\n", "line 2: text after a closing quote")]
    public void Read_BrokenText_SaysWhichLine(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => CsvText.Read(new StringReader(text)).ToList());
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task History_WrittenBeforeThisReader_ReadsTheSame()
    {
        // A history file as earlier versions wrote it: CRLF, the columns in their order, an unpriced case's cost empty.
        var path = _temp.Write("history.csv",
            "run_id,started_at,suite,variant,scenario,trial,passed,error,steps,input_tokens,output_tokens,cost_usd,latency_ms,git_commit,git_branch\r\n"
            + "r1,2026-12-02T04:47:44.207Z,support,default,refund-broken-item,1,True,False,3,2639,64,0.00043425,1571,e97747b,main\r\n"
            + "r1,2026-12-02T04:47:44.207Z,support,default,\"order, status\",2,False,True,1,10,2,,12.5,e97747b,main\r\n");

        var read = await HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                new HistoryEntry("r1", new DateTimeOffset(2026, 12, 2, 4, 47, 44, 207, TimeSpan.Zero), "support", "default", "refund-broken-item", 1, true, false, 3, 0.00043425m, 1571, "e97747b"),
                new HistoryEntry("r1", new DateTimeOffset(2026, 12, 2, 4, 47, 44, 207, TimeSpan.Zero), "support", "default", "order, status", 2, false, true, 1, null, 12.5, "e97747b"),
            ],
            read);
    }

    [Fact]
    public async Task History_WithoutAColumnItNeeds_NamesTheFileAndTheColumn()
    {
        var path = _temp.Write("history.csv", "run_id,started_at,suite\r\nr1,2026-12-02T04:47:44.207Z,support\r\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => HistoryFile.ReadAsync(path, "support", DateTimeOffset.MaxValue, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal($"{path}: not a history file EvalHarness can read (line 1: no column 'variant'). Move it aside; the next run starts a new one.", error.Message);
    }
}
