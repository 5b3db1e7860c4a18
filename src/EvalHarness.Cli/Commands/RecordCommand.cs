using System.CommandLine;
using EvalHarness.Cassettes.Scripted;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Running;
using EvalHarness.Core.Scripts;
using EvalHarness.Core.Suites;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary><c>evalh record &lt;suite&gt; --upstream &lt;url|scripted&gt;</c>: run a suite against a provider and write its cassettes.</summary>
internal static class RecordCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var common = new CommonOptions();
        var upstream = new Option<string>("--upstream")
        {
            Description = "Where to record from: an OpenAI-compatible base URL (https://api.openai.com/, key from OPENAI_API_KEY), or 'scripted' to play the suite's script file.",
            Required = true,
        };
        var script = new Option<string?>("--script") { Description = "With --upstream scripted: the script file (default: scripts/<suite>.yaml beside the suite)." };
        var command = new Command("record", "Run a suite against a model provider, recording every model call into the cassette folder (existing cassettes of the suite are replaced).");
        common.AddTo(command);
        command.Options.Add(upstream);
        command.Options.Add(script);
        command.SetAction(async (parse, cancellationToken) =>
        {
            ScriptedUpstream? scripted = null;
            try
            {
                return await SuiteSession.RunAsync(
                    console,
                    error,
                    parse.GetValue(common.Suite)!,
                    parse.GetValue(common.Reports)!,
                    async suite =>
                    {
                        var options = new RunOptions
                        {
                            CassetteDirectory = parse.GetValue(common.Cassettes)!,
                            Concurrency = parse.GetValue(common.Concurrency),
                            Mode = RecordMode.All,
                        };
                        var target = parse.GetValue(upstream)!;
                        if (target == "scripted")
                        {
                            var book = ScriptBook.Load(parse.GetValue(script) ?? ScriptBook.DefaultPathFor(suite), suite);
                            scripted = await ScriptedUpstream.StartAsync((id, prompt) => book.Find(id, prompt), cancellationToken);
                            return options with { Upstream = scripted.UpstreamTemplate, RecordedFrom = "scripted" };
                        }

                        if (!Uri.TryCreate(target, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                        {
                            throw new SuiteException("--upstream", 0, 0, $"'{target}' is neither 'scripted' nor an http(s) URL.");
                        }

                        var key = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
                        if (string.IsNullOrEmpty(key))
                        {
                            throw new SuiteException("OPENAI_API_KEY", 0, 0, "recording from a live upstream needs the API key in the OPENAI_API_KEY environment variable.");
                        }

                        return options with { Upstream = target, RecordedFrom = "live", ApiKey = key };
                    },
                    cancellationToken);
            }
            finally
            {
                if (scripted is not null)
                {
                    await scripted.DisposeAsync();
                }
            }
        });
        return command;
    }
}
