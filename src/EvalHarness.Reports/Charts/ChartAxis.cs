using System.Globalization;

namespace EvalHarness.Reports.Charts;

/// <summary>The y axis of a chart: the value range the plot spans and the "nice" tick values (1-2-5 steps) inside it.</summary>
internal sealed record ChartAxis(double Min, double Max, IReadOnlyList<double> Ticks)
{
    private const int TargetTicks = 5;

    // Guards floor/ceil against 0.6 / 0.2 = 2.9999999999999996.
    private const double Epsilon = 1e-9;

    private static readonly double[] StepFactors = [1, 2, 5, 10];

    /// <summary>
    /// The axis for data spanning <paramref name="dataMin"/>..<paramref name="dataMax"/>. A fixed bound is kept
    /// exactly; a free one is widened to the next tick. An empty range (one value, all equal) is opened around the value.
    /// </summary>
    public static ChartAxis For(double dataMin, double dataMax, double? fixedMin = null, double? fixedMax = null)
    {
        if (fixedMin >= fixedMax)
        {
            throw new ArgumentException($"The y axis minimum ({fixedMin}) must be below its maximum ({fixedMax}).", nameof(fixedMin));
        }

        var lo = fixedMin ?? dataMin;
        var hi = fixedMax ?? dataMax;
        if (hi <= lo)
        {
            var pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            (lo, hi) = fixedMin is not null ? (lo, lo + pad) : fixedMax is not null ? (hi - pad, hi) : (lo - pad, hi + pad);
        }

        // Candidates around a fifth of the range; the one giving closest to five ticks wins, the coarser on a tie.
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10((hi - lo) / TargetTicks)));
        var step = StepFactors
            .Select(factor => factor * magnitude)
            .MinBy(candidate => (Math.Abs(Span(lo, hi, candidate, fixedMin, fixedMax).Count - TargetTicks), -candidate));
        var (first, count) = Span(lo, hi, step, fixedMin, fixedMax);
        var decimals = Math.Clamp(1 - (int)Math.Floor(Math.Log10(step)), 0, 15);
        // + 0.0 turns Ceiling's -0 into 0, which would otherwise print as "-0".
        var ticks = Enumerable.Range(0, count).Select(i => Math.Round((first + i) * step, decimals) + 0.0).ToArray();
        return new(fixedMin ?? ticks[0], fixedMax ?? ticks[^1], ticks);
    }

    /// <summary>
    /// The ticks written in <paramref name="format"/>, with as many more decimals as it takes to tell them apart: a cost
    /// axis in <c>$0.0000</c> with ticks 0.00005 apart reads $0.0001, $0.00015 … rather than $0.0001, $0.0002, $0.0002.
    /// </summary>
    public IReadOnlyList<string> Labels(string format)
    {
        for (var extra = 0; ; extra++)
        {
            var labels = Ticks.Select(t => t.ToString(format, CultureInfo.InvariantCulture)).ToArray();
            var lastDigit = format.LastIndexOf('0');
            if (labels.Distinct(StringComparer.Ordinal).Count() == labels.Length || extra == 6 || !format.Contains('.', StringComparison.Ordinal) || lastDigit < format.IndexOf('.', StringComparison.Ordinal))
            {
                return labels;
            }

            format = format.Insert(lastDigit + 1, "#");
        }
    }

    /// <summary>
    /// Which of <paramref name="count"/> x labels to draw: all when they fit, else every k-th counted back from the
    /// last (the newest point is always labelled), at most <paramref name="maxLabels"/>.
    /// </summary>
    public static IReadOnlyList<int> ShownLabels(int count, int maxLabels)
    {
        var stride = Math.Max(1, (int)Math.Ceiling(count / (double)Math.Max(1, maxLabels)));
        return Enumerable.Range(0, count).Where(i => (count - 1 - i) % stride == 0).ToArray();
    }

    // The tick multiples of step on the axis: inside a fixed bound, out to the next multiple past a free one.
    private static (double First, int Count) Span(double lo, double hi, double step, double? fixedMin, double? fixedMax)
    {
        var first = fixedMin is null ? Math.Floor((lo / step) + Epsilon) : Math.Ceiling((lo / step) - Epsilon);
        var last = fixedMax is null ? Math.Ceiling((hi / step) - Epsilon) : Math.Floor((hi / step) + Epsilon);
        return (first, (int)Math.Clamp(last - first + 1, 0, 1000));
    }
}
