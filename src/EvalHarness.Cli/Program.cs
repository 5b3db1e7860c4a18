using EvalHarness.Cli.Commands;

return await EvalhApp.InvokeAsync(args);
