using System.Globalization;
using EvalHarness.Core.Load;
using EvalHarness.Core.Suites;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// Shows a load test as it runs: a Spectre progress bar on a terminal (iterations done, errors, latency so far), or a
/// plain line every tenth of the test in a log or CI (<c>CI=true</c>).
/// </summary>
internal static class LoadProgress
{
    public static async Task<LoadResult> RunAsync(IAnsiConsole console, Suite suite, LoadOptions options, CancellationToken cancellationToken = default)
    {
        var planned = options.Iterations is { } n ? $"{n} iteration(s)" : $"{options.Duration!.Value.TotalSeconds:0.###} s";
        console.MarkupLineInvariant(
            $"[bold]{Markup.Escape(suite.Name)}[/]: load test, {planned}{(options.Warmup > 0 ? $" after {options.Warmup} warm-up iteration(s)" : string.Empty)}, {(options.Ramp is { } r ? $"ramp {r.From} to {r.To}" : $"{options.Concurrency}")} at once, recorded timing, cassettes in {Markup.Escape(Path.GetFullPath(options.Run.CassetteDirectory))}");
        var tally = new Tally(options);
        var interactive = console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (interactive)
        {
            return await console.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Markup.Escape(suite.Name), maxValue: 1000);
                    using var timer = new Timer(_ => task.Value = 1000 * tally.Fraction(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));
                    return await LoadRunner.RunAsync(suite, options with
                    {
                        OnWarmedUp = tally.Restart,
                        OnIteration = sample =>
                        {
                            tally.Add(sample);
                            task.Description = $"{Markup.Escape(suite.Name)} {Markup.Escape(tally.Line())}";
                        },
                    }, cancellationToken);
                });
        }

        var lastTenth = 0;
        var gate = new Lock();
        return await LoadRunner.RunAsync(suite, options with
        {
            OnWarmedUp = () =>
            {
                tally.Restart();
                console.MarkupLineInvariant($"[grey]  warmed up ({options.Warmup} iteration(s)); measuring[/]");
            },
            OnIteration = sample =>
            {
                tally.Add(sample);
                lock (gate)
                {
                    var tenth = (int)(tally.Fraction() * 10);
                    if (tenth > lastTenth)
                    {
                        lastTenth = tenth;
                        console.MarkupLineInvariant($"[grey]  {Markup.Escape(tally.Line())}[/]");
                    }
                }
            },
        }, cancellationToken);
    }

    /// <summary>The test so far: iterations done, errors, the latest latencies.</summary>
    private sealed class Tally(LoadOptions options)
    {
        private readonly Lock _lock = new();
        private long _started = TimeProvider.System.GetTimestamp();
        private int _done;
        private int _errors;
        private double _latencySum;

        /// <summary>The measured iterations start now, after the warm-up.</summary>
        public void Restart()
        {
            lock (_lock)
            {
                _started = TimeProvider.System.GetTimestamp();
            }
        }

        public void Add(LoadSample sample)
        {
            lock (_lock)
            {
                _done++;
                _errors += sample.Error is null ? 0 : 1;
                _latencySum += sample.LatencyMs;
            }
        }

        public double Fraction()
        {
            lock (_lock)
            {
                return Math.Clamp(options.Iterations is { } n
                    ? (double)_done / n
                    : TimeProvider.System.GetElapsedTime(_started) / options.Duration!.Value, 0, 1);
            }
        }

        public string Line()
        {
            lock (_lock)
            {
                var seconds = Math.Max(0.001, TimeProvider.System.GetElapsedTime(_started).TotalSeconds);
                return string.Create(CultureInfo.InvariantCulture,
                    $"{_done}{(options.Iterations is { } n ? $"/{n}" : string.Empty)} done, {_done / seconds:0.#} cases/s, mean latency {(_done == 0 ? 0 : _latencySum / _done):0} ms, {_errors} error(s)");
            }
        }
    }
}
