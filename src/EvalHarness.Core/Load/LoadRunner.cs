using System.Collections.Concurrent;
using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;
using EvalHarness.Core.UnderTest;

namespace EvalHarness.Core.Load;

/// <summary>
/// Load-tests a suite: replays its cases over and over (round-robin), many at once, each with the recorded timing of
/// its cassettes (first byte, totals, stream offsets), against the suite's agent, on one loopback cassette server.
/// Each iteration replays its own instance of the case's cassettes (<see cref="CassetteInstance"/>), so the same case
/// can run many times at once. Never records, never calls a provider.
/// </summary>
internal static class LoadRunner
{
    /// <summary>Runs the load test; Ctrl+C (<paramref name="cancellationToken"/>) keeps what finished and marks it interrupted.</summary>
    /// <exception cref="ArgumentException">An option is out of bounds.</exception>
    /// <exception cref="SuiteException">No case is selected, or a case's cassette is missing.</exception>
    public static async Task<LoadResult> RunAsync(Suite suite, LoadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var run = options.Run with { Mode = RecordMode.None, Timing = ReplayTiming.Realistic, Spool = null, OnCaseCompleted = null };
        var cases = Cases(suite, run);
        var time = run.Time;
        var tallies = new ConcurrentDictionary<long, Tally>();
        void Served(string id, InteractionTimings timings)
        {
            // Counted by the server, whoever the client is: the harness's own SDK clients or an agent process's.
            if (CassetteInstance.TrySplit(id, out var instance, out _) && tallies.TryGetValue(instance, out var tally))
            {
                tally.Add(timings.TotalMs);
            }
        }

        await using var host = await CaseHost.StartAsync(
            CaseHost.ServerOptions(run) with
            {
                Instances = true, Time = time, OnServed = Served,
                ToolServers = [.. suite.Variants.SelectMany(v => v.Agent.ToolServers).DistinctBy(s => s.PathSegment)],
            },
            cancellationToken);

        // A served agent's service, started once for the load test as for a run: every iteration's calls reach it.
        await using var services = await ServedAgents.StartAsync(suite, host.Server, provider => EvalRunner.ApiKey(run, provider), cancellationToken);

        var instances = -1L; // every replay's own cassette instance, warm-up and test alike
        var samples = new ConcurrentQueue<LoadSample>();
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        double Now() => time.GetElapsedTime(started).TotalMilliseconds;

        // Runs iterations (a number, or for a time) with up to `peak` at once; `measured` ones become samples.
        async Task PhaseAsync(int limit, double? deadline, int peak, bool measured)
        {
            var claimed = -1;
            double Progress() => deadline is { } d ? Now() / d : (double)Math.Max(0, Volatile.Read(ref claimed)) / limit;
            int Target() => measured && options.Ramp is { } ramp
                ? (int)Math.Round(ramp.From + ((ramp.To - ramp.From) * Math.Clamp(Progress(), 0, 1)))
                : peak;
            bool Over() => Volatile.Read(ref claimed) + 1 >= limit || (deadline is { } d && Now() >= d);

            async Task WorkerAsync(int worker)
            {
                while (!cancellationToken.IsCancellationRequested && !Over())
                {
                    if (worker >= Target())
                    {
                        await Task.Delay(20, cancellationToken); // waits for the ramp to reach this worker
                        continue;
                    }

                    var iteration = Interlocked.Increment(ref claimed);
                    if (iteration >= limit)
                    {
                        return;
                    }

                    var evalCase = cases[iteration % cases.Count];
                    var instance = Interlocked.Increment(ref instances);
                    var tally = tallies[instance] = new Tally();
                    var concurrency = Target();
                    var start = Now();
                    var result = await EvalRunner.RunCaseAsync(
                        suite, evalCase with { CassetteId = CassetteInstance.Of(evalCase.CassetteId, instance) },
                        host.Server, host.Http, host.OpenAIPipeline, host.Latency, run, cancellationToken);
                    var latency = Now() - start;
                    tallies.TryRemove(instance, out _);
                    if (!measured || (cancellationToken.IsCancellationRequested && result.Outcome == Outcomes.Cancelled))
                    {
                        continue; // a warm-up, or stopped half-way: not a sample
                    }

                    var (modelMs, calls) = tally.Read();
                    var sample = new LoadSample(iteration, $"{evalCase.Variant.Name}/{evalCase.Scenario.Name}/t{evalCase.Trial}",
                        Math.Round(start, 1), Math.Round(latency, 1), Math.Round(modelMs, 1), calls, concurrency, result.Passed, result.Error);
                    samples.Enqueue(sample);
                    options.OnIteration?.Invoke(sample);
                }
            }

            await Task.WhenAll(Enumerable.Range(0, peak).Select(w => Task.Run(() => WorkerAsync(w), CancellationToken.None)));
        }

        // A process agent's CPU and memory are measured for the test's iterations (an async-local scope), not the warm-up's.
        var agents = cases.Select(c => run.Agent ?? c.Variant.Agent.Own).DistinctBy(a => a?.Description).ToList();
        var usage = agents.Any(a => a is { Factory: null, Command.Count: > 0 }) ? new ProcessUsage() : null;
        var interrupted = false;
        try
        {
            if (options.Warmup > 0)
            {
                // The first wave pays for the JIT and the first reads of each cassette: run it, then start the clock again.
                await PhaseAsync(options.Warmup, null, options.PeakConcurrency, measured: false);
                options.OnWarmedUp?.Invoke();
                (startedAt, started) = (time.GetUtcNow(), time.GetTimestamp());
            }

            ProcessUsage.Current = usage;
            await PhaseAsync(options.Iterations ?? LoadOptions.MaxIterations, options.Duration?.TotalMilliseconds, options.PeakConcurrency, measured: true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true; // Ctrl+C: keep what finished
        }

        var elapsed = Now();
        return LoadResult.Of(suite, options, startedAt, elapsed, [.. samples.OrderBy(s => s.Iteration)],
            string.Join(", ", agents.Select(a => a?.Description ?? "built-in runtime")), usage,
            interrupted || cancellationToken.IsCancellationRequested);
    }

    /// <summary>The cases a load test replays, each with its cassette on disk; a missing one is named with the command that records it.</summary>
    private static List<EvalCase> Cases(Suite suite, RunOptions run)
    {
        var cases = EvalCase.AllOf(suite).Where(run.Selects).ToList();
        if (cases.Count == 0)
        {
            throw new SuiteException(suite.FilePath, 0, 0, "no case matches the --filter and --variant given: there is nothing to load-test.");
        }

        var store = new CassetteStore(run.CassetteDirectory);
        // A case's judge and simulated user have cassettes of their own, which a load test replays too.
        var missing = cases.SelectMany(c => c.CassetteIds).Where(id => !store.Exists(id)).ToList();
        if (missing.Count > 0)
        {
            throw new SuiteException(store.PathFor(missing[0]), 0, 0,
                $"the cassette '{missing[0]}' is missing{(missing.Count > 1 ? $" (and {missing.Count - 1} more)" : string.Empty)}. "
                + $"A load test replays recorded traffic only: record the suite first with `evalh record {suite.FilePath} --upstream scripted|live|<url>`, or pass --cassettes.");
        }

        return cases;
    }

    /// <summary>The recorded model time and calls served to one iteration, added to from the HTTP handler's threads.</summary>
    private sealed class Tally
    {
        private readonly Lock _lock = new();
        private double _ms;
        private int _calls;

        public void Add(double ms)
        {
            lock (_lock)
            {
                _ms += ms;
                _calls++;
            }
        }

        public (double Ms, int Calls) Read()
        {
            lock (_lock)
            {
                return (_ms, _calls);
            }
        }
    }
}
