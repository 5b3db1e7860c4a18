using System.CommandLine;
using System.Globalization;
using EvalHarness.Cassettes.Protocols;
using EvalHarness.Cassettes.Server;
using EvalHarness.Cassettes.Tools;
using EvalHarness.Core.Results;
using EvalHarness.Core.Suites;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// <c>evalh serve</c>: the cassette server on its own, so an agent in any language records and replays by
/// pointing its base URL at <c>http://127.0.0.1:&lt;port&gt;/c/&lt;cassette-id&gt;/v1</c>.
/// </summary>
internal static class ServeCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var cassettes = new Option<string?>("--cassettes") { Description = "The cassette folder. Default: the --tools suite's cassettes.dir, else cassettes." };
        var mode = new Option<string>("--mode") { Description = "none (replay only), once, new_episodes or all.", DefaultValueFactory = _ => "none" };
        mode.AcceptOnlyFromAmong([.. RecordModes.Names.Keys]);
        var match = new Option<string>("--match") { Description = "ordered or unordered.", DefaultValueFactory = _ => "ordered" };
        match.AcceptOnlyFromAmong([.. RecordModes.Matches.Keys]);
        var upstream = new Option<string?>("--upstream") { Description = "The provider to record from, e.g. https://api.openai.com/ (the client's own key is forwarded, never written)." };
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 0 };
        var replay = new Option<string>("--replay") { Description = "instant or realistic.", DefaultValueFactory = _ => "instant" };
        replay.AcceptOnlyFromAmong("instant", "realistic");
        var noRestart = new Option<bool>("--no-restart") { Description = "Do not start a cassette over when a client sends its first request again (reset it with POST /_evalh/reset/<cassette-id> instead)." };
        var maxBody = new Option<double>("--max-body-mb") { Description = "The largest request body, in MB; a larger one is answered 413.", DefaultValueFactory = _ => 32 };
        var bodyTimeout = new Option<double>("--body-timeout-s") { Description = "How long a request body may take to arrive, in seconds; a slower one is answered 408.", DefaultValueFactory = _ => 60 };
        var tools = new Option<string?>("--tools")
        {
            Description = "A suite whose agent.mcp and agent.http name the agent's tool servers: each is served per cassette at "
                + "c/<cassette-id>/mcp/<name> and c/<cassette-id>/http/<name>, recorded with the model's traffic and replayed from it (docs/tools.md).",
        };
        var command = new Command("serve", "Run the cassette server on its own until Ctrl+C, for agents written in any language.");
        foreach (var option in new Option[] { cassettes, mode, match, upstream, port, replay, noRestart, maxBody, bodyTimeout, tools })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            CassetteServer server;
            IReadOnlyList<ToolServer> toolServers = [];
            var folder = parse.GetValue(cassettes) ?? "cassettes";
            try
            {
                if (parse.GetValue(tools) is { } suitePath)
                {
                    // The suite's tool servers, and its cassette folder unless --cassettes names another.
                    var suite = SuiteLoader.Load(suitePath);
                    toolServers = [.. suite.Variants.SelectMany(v => v.Agent.ToolServers).DistinctBy(t => t.PathSegment)];
                    folder = suite.Cassettes.FolderFor(parse.GetValue(cassettes));
                }

                server = await CassetteServer.StartAsync(new CassetteServerOptions
                {
                    CassetteDirectory = folder,
                    SuitePath = parse.GetValue(tools),
                    Mode = RecordModes.Names[parse.GetValue(mode)!],
                    Match = RecordModes.Matches[parse.GetValue(match)!],
                    Upstream = parse.GetValue(upstream),
                    Port = parse.GetValue(port),
                    Timing = parse.GetValue(replay) == "realistic" ? ReplayTiming.Realistic : ReplayTiming.Instant,
                    RestartOnFirstRequest = !parse.GetValue(noRestart),
                    MaxRequestBodyBytes = (long)(parse.GetValue(maxBody) * 1024 * 1024),
                    RequestBodyTimeout = TimeSpan.FromSeconds(parse.GetValue(bodyTimeout)),
                    ToolServers = toolServers,
                    OnRequest = log =>
                    {
                        lock (console)
                        {
                            // Unwrapped: a message's suggested command stays on one line, to copy and paste.
                            console.Profile.Out.Writer.WriteLine(LogLine(log));
                        }
                    },
                }, cancellationToken);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or SuiteException)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.InputError;
            }

            await using (server)
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Cassette server on {server.BaseAddress} (mode {parse.GetValue(mode)}, cassettes in {Path.GetFullPath(folder)})."));
                console.WriteLine($"Point a client at {server.BaseAddress}c/<cassette-id>/, as each provider's SDK reads it "
                    + "(docs/providers.md):");
                foreach (var protocol in WireProtocols.All)
                {
                    console.WriteLine($"  {protocol.BaseUrlVariable}={protocol.BaseUrlFor(new Uri(server.BaseAddress, "c/<cassette-id>/")).ToString().TrimEnd('/')}");
                }

                foreach (var tool in toolServers)
                {
                    console.WriteLine($"  {tool.VariableName}={new Uri(server.BaseAddress, "c/<cassette-id>/" + tool.PathSegment)}");
                }

                console.WriteLine($"A service's client may use the case-less address instead (e.g. OPENAI_BASE_URL={WireProtocols.OpenAICompatible.BaseUrlFor(server.BaseAddress).ToString().TrimEnd('/')}), "
                    + $"each request naming its case in a '{CaseTrace.BaggageHeader}: {CaseTrace.BaggageKey}=<cassette-id>' or '{CaseTrace.CaseHeader}: <cassette-id>' header (docs/served-agents.md).");
                console.WriteLine("Ctrl+C stops.");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    console.WriteLine("Stopped.");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One line per request: <c>12:00:01.250 support/default/x/t1 #2 hit 200 3 ms</c>.</summary>
    internal static string LogLine(CassetteRequestLog log) => string.Create(CultureInfo.InvariantCulture,
        $"{log.Time.ToLocalTime():HH:mm:ss.fff} {log.CassetteId ?? "-"} {(log.Interaction > 0 ? $"#{log.Interaction}" : "-")} {log.Outcome.ToString().ToLowerInvariant()} {log.Status} {log.ElapsedMs:0} ms{(log.Message is { } message ? $"\n  ✗ {message}" : string.Empty)}");
}
