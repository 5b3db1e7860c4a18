using EvalHarness.Cassettes.Protocols;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Core.Running;
using EvalHarness.Core.Scripts;
using EvalHarness.Core.Suites;

namespace EvalHarness.Core.Application;

/// <summary>Connects a recording to where it records from: the scripted upstream, each provider live, or one base URL.</summary>
internal static class Upstreams
{
    /// <summary>The run options with the upstream set, and what to stop when the run is over (the scripted upstream).</summary>
    /// <exception cref="SuiteException">No upstream, an upstream that is not one, a script with mistakes, or a live key missing.</exception>
    public static async Task<(RunOptions Run, IAsyncDisposable? Stop)> ConnectAsync(EvaluationPlan plan, CancellationToken cancellationToken)
    {
        var run = plan.Run;
        if (!plan.Records)
        {
            return (run, null);
        }

        var target = plan.Options.Upstream
            ?? throw new SuiteException("--upstream", 0, 0, $"record mode '{Cassettes.Server.RecordModes.Name(run.Mode)}' records from an upstream: pass --upstream <url>, --upstream live or --upstream scripted (EvaluationOptions.Upstream from code).");
        if (target == "scripted")
        {
            // A suite of tool checks alone (call:) asks no model anything, so it needs no script.
            var book = plan.Options.ScriptFile is { } given ? ScriptBook.Load(given, plan.Suite)
                : plan.Suite.Scenarios.All(s => s.Call is not null) && !File.Exists(ScriptBook.DefaultPathFor(plan.Suite)) ? null
                : ScriptBook.LoadFor(plan.Suite);
            var scripted = await ScriptedUpstream.StartAsync((id, prompt) => book?.Find(id, prompt), cancellationToken);
            return (run with { Upstream = scripted.UpstreamTemplate, RecordedFrom = "scripted" }, scripted);
        }

        if (target != "live" && (!Uri.TryCreate(target, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            throw new SuiteException("--upstream", 0, 0, $"'{target}' is not 'live', 'scripted' or an http(s) URL.");
        }

        if (target == "live" && ProvidersOf(plan.Suite).FirstOrDefault(p => WireProtocols.Find(p) is { LiveUrl: null }) is { } addressless)
        {
            // Sent to OpenAI's address instead, the provider's key would go to the wrong party.
            throw new SuiteException("--upstream", 0, 0, $"--upstream live cannot record {addressless} models: they have no single live address. Pass the endpoint instead: --upstream <url>.");
        }

        var keys = Keys(plan.Suite, plan.Options.ApiKeys);
        return (target == "live"
            ? run with { Upstream = WireProtocols.OpenAICompatible.LiveUrl, ProtocolUpstreams = LiveUpstreams(), RecordedFrom = "live", ApiKeys = keys }
            : run with { Upstream = target, RecordedFrom = "live", ApiKeys = keys }, null);
    }

    /// <summary>Where each protocol is reached live.</summary>
    private static Dictionary<string, string> LiveUpstreams() =>
        WireProtocols.All.Where(p => p.LiveUrl is not null).ToDictionary(p => p.Name, p => p.LiveUrl!, StringComparer.Ordinal);

    /// <summary>The key of every provider the suite's models speak: given in code, else from the provider's environment variable.</summary>
    private static Dictionary<string, string> Keys(Suite suite, IReadOnlyDictionary<string, string> given)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var provider in ProvidersOf(suite))
        {
            if (WireProtocols.Find(provider)?.ApiKeyVariable is not { } variable)
            {
                continue; // a local server (Ollama) needs no key
            }

            keys[provider] = given.TryGetValue(provider, out var key) && key.Length > 0 ? key
                : Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment ? fromEnvironment
                : throw new SuiteException(variable, 0, 0, $"recording {provider} models live needs the API key in the {variable} environment variable.");
        }

        return keys;
    }

    /// <summary>Every provider a case of the suite may call: each variant's agent and specialists, a judge, a simulated user.</summary>
    private static IEnumerable<string> ProvidersOf(Suite suite) =>
        suite.Variants.SelectMany(v => v.Agent.SubAgents.Select(s => s.Agent.Model.Provider).Append(v.Agent.Model.Provider))
            .Concat(suite.Scenarios.SelectMany(s => new[] { s.Expect.Judge?.Model?.Provider, s.User?.Model?.Provider }).OfType<string>())
            .Distinct();
}
