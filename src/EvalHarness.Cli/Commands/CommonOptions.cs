using System.CommandLine;

namespace EvalHarness.Cli.Commands;

/// <summary>Options shared by the commands that run a suite.</summary>
internal sealed class CommonOptions
{
    public Argument<string> Suite { get; } = new("suite") { Description = "The suite file, e.g. suites/support.yaml." };

    public Option<string> Cassettes { get; } = new("--cassettes")
    {
        Description = "The cassette folder.",
        DefaultValueFactory = _ => "cassettes",
    };

    public Option<string> Reports { get; } = new("--reports")
    {
        Description = "Where run folders are written (<reports>/runs/<run-id>/).",
        DefaultValueFactory = _ => "reports",
    };

    public Option<int> Concurrency { get; } = new("--concurrency")
    {
        Description = "How many cases run at once.",
        DefaultValueFactory = _ => Math.Max(2, Environment.ProcessorCount * 2),
    };

    public Option<string[]> Filter { get; } = new("--filter")
    {
        Description = "Only scenarios whose name matches (* wildcards) or, written tag:<tag>, that carry the tag. Repeatable.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string[]> Variant { get; } = new("--variant") { Description = "Only these variants. Repeatable.", AllowMultipleArgumentsPerToken = true };

    public Option<double?> CaseTimeout { get; } = new("--case-timeout") { Description = "Seconds one case may take; a case past it is an error." };

    public void AddTo(Command command)
    {
        command.Options.Add(Filter);
        command.Options.Add(Variant);
        command.Options.Add(CaseTimeout);
        command.Arguments.Add(Suite);
        command.Options.Add(Cassettes);
        command.Options.Add(Reports);
        command.Options.Add(Concurrency);
        Concurrency.Validators.Add(r =>
        {
            // Runs even when the value did not parse (System.CommandLine reports that itself): read the token, not the value.
            if (r.Tokens is [var token] && int.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var n) && n < 1)
            {
                r.AddError("--concurrency must be at least 1.");
            }
        });
    }
}
