using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/EvalHarness.Benchmarks -- --filter '*'       every benchmark
// dotnet run -c Release --project tests/EvalHarness.Benchmarks -- --filter '*Report*' the report ones
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
