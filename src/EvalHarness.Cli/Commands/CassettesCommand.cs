using System.CommandLine;
using System.Globalization;
using EvalHarness.Cassettes.Tooling;
using EvalHarness.Core.Results;
using EvalHarness.Core.Running;
using EvalHarness.Core.Suites;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary><c>evalh cassettes lint</c>, <c>stats</c>, <c>clean</c> and <c>export</c>.</summary>
internal static class CassettesCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var command = new Command("cassettes", "Check, describe, clean and export a cassette folder.");
        command.Subcommands.Add(Lint(console, error));
        command.Subcommands.Add(Stats(console, error));
        command.Subcommands.Add(Clean(console, error));
        command.Subcommands.Add(Export(console, error));
        return command;
    }

    private static Option<string> Folder() => new("--cassettes") { Description = "The cassette folder.", DefaultValueFactory = _ => "cassettes" };

    private static Command Lint(IAnsiConsole console, TextWriter error)
    {
        var folder = Folder();
        var suites = new Option<string[]>("--suite") { Description = "Suites whose cases the cassettes must belong to (repeatable); a cassette none of them uses is reported.", AllowMultipleArgumentsPerToken = true };
        var maxAge = new Option<int?>("--max-age-days") { Description = "Report cassettes recorded longer ago than this." };
        var command = new Command("lint", "Report unreadable cassettes, credentials, cassettes no suite uses, stale recordings and partial files a killed recording left. Exit 1 when anything is found.");
        var allowOutside = CommonOptions.AllowOutsideOption();
        command.Options.Add(folder);
        command.Options.Add(suites);
        command.Options.Add(maxAge);
        command.Options.Add(allowOutside);
        command.SetAction(async parse =>
        {
            try
            {
                var inventory = CassetteInventory.Load(parse.GetValue(folder)!);
                HashSet<string>? used = null;
                foreach (var suitePath in parse.GetValue(suites) ?? [])
                {
                    used ??= new HashSet<string>(StringComparer.Ordinal);
                    used.UnionWith(EvalCase.AllOf(SuiteLoader.Load(suitePath, new SuiteLoadOptions { AllowOutside = parse.GetValue(allowOutside) }))
                        .SelectMany(c => c.CassetteIds));
                }

                var days = parse.GetValue(maxAge);
                var findings = inventory.Lint(used, days is { } d ? TimeSpan.FromDays(d) : null, TimeProvider.System.GetUtcNow());
                foreach (var finding in findings)
                {
                    console.MarkupLineInvariant($"[red]{Markup.Escape(finding.Rule)}[/] {Markup.Escape(Path.GetRelativePath(Environment.CurrentDirectory, finding.Path))}: {Markup.Escape(finding.Message)}");
                }

                console.MarkupLineInvariant($"{inventory.Entries.Count} cassette(s) checked, {findings.Count} finding(s).");
                return findings.Count == 0 ? ExitCodes.Ok : ExitCodes.Failed;
            }
            catch (Exception ex) when (InputErrors.IsInput(ex))
            {
                await error.WriteLineAsync($"error: {InputErrors.Message(ex)}");
                return ExitCodes.InputError;
            }
        });
        return command;
    }

    private static Command Clean(IAnsiConsole console, TextWriter error)
    {
        var folder = Folder();
        var command = new Command("clean", "Remove the partial files (*.json.<pid>.<id>.tmp) a recording killed while writing a cassette left behind, listing each.");
        command.Options.Add(folder);
        command.SetAction(async parse =>
        {
            IReadOnlyList<string> removed;
            try
            {
                removed = StrayFiles.Remove(parse.GetValue(folder)!, TimeProvider.System.GetUtcNow());
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.InputError;
            }

            foreach (var file in removed)
            {
                console.MarkupLineInvariant($"removed {Markup.Escape(Path.GetRelativePath(Environment.CurrentDirectory, file))}");
            }

            console.MarkupLineInvariant($"{removed.Count} partial file(s) removed.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export(IAnsiConsole console, TextWriter error)
    {
        var folder = Folder();
        var format = new Option<string>("--format")
        {
            Description = "The format: wiremock (WireMock.Net's static mapping files; the Java WireMock reads another format).",
            Required = true,
            CustomParser = r =>
            {
                var value = r.Tokens.Count == 1 ? r.Tokens[0].Value.ToLowerInvariant() : string.Empty;
                if (value != "wiremock")
                {
                    r.AddError($"--format must be wiremock, not '{(r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Empty)}'.");
                }

                return value;
            },
        };
        var output = new Option<string>("--out") { Description = "The folder to write (must not exist or be empty); the mappings go to <out>/mappings/.", Required = true };
        var command = new Command("export", "Write the recorded interactions as WireMock mappings, one per interaction, served at /c/<cassette-id>/v1/... as `evalh serve` does.");
        command.Options.Add(format);
        command.Options.Add(folder);
        command.Options.Add(output);
        command.SetAction(async parse =>
        {
            WireMockExportResult result;
            try
            {
                result = WireMockExport.Write(parse.GetValue(folder)!, parse.GetValue(output)!);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.InputError;
            }

            foreach (var note in result.Approximations)
            {
                console.MarkupLineInvariant($"[yellow]approximated[/] {Markup.Escape(note)}");
            }

            console.MarkupLineInvariant($"{result.Mappings} mapping(s) of {result.Cassettes} cassette(s) written to {Markup.Escape(Path.Combine(result.Folder, "mappings"))}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Stats(IAnsiConsole console, TextWriter error)
    {
        var folder = Folder();
        var command = new Command("stats", "Count cassettes, interactions, streams and faults, by suite, provider and model.");
        command.Options.Add(folder);
        command.SetAction(async parse =>
        {
            CassetteInventory inventory;
            try
            {
                inventory = CassetteInventory.Load(parse.GetValue(folder)!);
            }
            catch (DirectoryNotFoundException ex)
            {
                await error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.InputError;
            }

            var readable = inventory.Entries.Where(e => e.Cassette is not null).ToList();
            var table = new Table().Border(TableBorder.Rounded).AddColumn("Suite").AddColumn("Provider").AddColumn("Model")
                .AddColumn(new TableColumn("Cassettes").RightAligned()).AddColumn(new TableColumn("Interactions").RightAligned())
                .AddColumn(new TableColumn("Streams").RightAligned()).AddColumn(new TableColumn("Faults").RightAligned())
                .AddColumn(new TableColumn("KiB").RightAligned()).AddColumn("Recorded");
            foreach (var group in readable.GroupBy(e => (Suite: e.Id.Split('/')[0], e.Cassette!.Provider, Model: e.Cassette.Metadata?.Model ?? "?")).OrderBy(g => g.Key.Suite, StringComparer.Ordinal))
            {
                var interactions = group.SelectMany(e => e.Cassette!.Interactions).ToList();
                var dates = group.Select(e => e.Cassette!.Metadata?.RecordedAt).OfType<DateTimeOffset>().ToList();
                table.AddRow(
                    Markup.Escape(group.Key.Suite),
                    group.Key.Provider,
                    Markup.Escape(group.Key.Model),
                    group.Count().ToString(CultureInfo.InvariantCulture),
                    interactions.Count.ToString(CultureInfo.InvariantCulture),
                    interactions.Count(i => i.Response.Events is not null).ToString(CultureInfo.InvariantCulture),
                    interactions.Count(i => i.Response.Fault is not null || i.Response.Status >= 400).ToString(CultureInfo.InvariantCulture),
                    (group.Sum(e => e.Bytes) / 1024.0).ToString("0.0", CultureInfo.InvariantCulture),
                    dates.Count == 0 ? "?" : $"{dates.Min():yyyy-MM-dd} … {dates.Max():yyyy-MM-dd}");
            }

            console.Write(table);
            console.MarkupLineInvariant(
                $"{inventory.Entries.Count} cassette(s), {readable.Sum(e => e.Cassette!.Interactions.Count)} interaction(s), {inventory.Entries.Sum(e => e.Bytes) / 1024.0:0.0} KiB, {inventory.Entries.Count - readable.Count} unreadable.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
