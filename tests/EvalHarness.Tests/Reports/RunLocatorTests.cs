using EvalHarness.Reports;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Reports;

/// <summary>What <c>latest</c> means when runs start close together.</summary>
public sealed class RunLocatorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Run(string id, DateTime written)
    {
        var file = _temp.Write(Path.Combine("reports", "runs", id, "results.json"), "{}");
        File.SetLastWriteTimeUtc(file, written);
        return file;
    }

    [Fact]
    public void Latest_OfTwoRunsStartedInTheSameSecond_IsTheOneWrittenLast_NotTheLargerSuffix()
    {
        var noon = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        Run("20261201-120000-support-ffffff", noon);
        var second = Run("20261201-120000-support-000000", noon.AddMilliseconds(700));

        Assert.Equal(second, RunLocator.Resolve("latest", _temp.Combine("reports")));
    }

    [Fact]
    public void Latest_GoesByTheStartTimeInTheName_BeforeTheFileTime()
    {
        var noon = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        var later = Run("20261201-120001-support-000000", noon);
        Run("20261201-120000-support-ffffff", noon.AddMinutes(5)); // an earlier run whose results were copied in afterwards
        _temp.Write(Path.Combine("reports", "runs", "notes", "results.json"), "{}");

        Assert.Equal(later, RunLocator.Resolve("latest", _temp.Combine("reports")));
    }
}
