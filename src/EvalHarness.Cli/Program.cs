using EvalHarness.Cli;
using EvalHarness.Cli.Commands;

var exit = await EvalhApp.InvokeAsync(args);
ProcessStats.WriteIfAsked(args, exit);
return exit;
