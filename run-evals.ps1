#!/usr/bin/env pwsh
# EvalHarness for teams on Windows: run, report, gate. A thin wrapper over the evalh CLI, so behaviour lives in one place.
# Usage: ./run-evals.ps1 [-Suite suites/support.yaml] [-Policy gate.yaml] [-Baseline <run folder>] [-Cassettes cassettes] [-Reports reports]
# Exit code: 0 the gate passed, 1 it failed, 2 bad input (suite, policy, missing or changed cassette).
param(
    [string]$Suite = "suites/support.yaml",
    [string]$Policy = "gate.yaml",
    [string]$Baseline = "",
    [string]$Cassettes = "cassettes",
    [string]$Reports = "reports"
)

$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
$evalh = @("run", "--project", "src/EvalHarness.Cli", "--")
$against = if ($Baseline) { @("--baseline", $Baseline) } else { @() }

# 1. Run: replay the suite from its cassettes. Its own exit code (a failed case) is the gate's to judge.
dotnet @evalh run $Suite --cassettes $Cassettes --reports $Reports
if ($LASTEXITCODE -eq 2) { exit 2 }

# 2. Report: rebuild the newest run's reports against the baseline (the suite's blessed one by default).
dotnet @evalh report latest --reports $Reports @against
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

# 3. Gate: the exit code of the script.
dotnet @evalh gate latest --reports $Reports --policy $Policy @against
exit $LASTEXITCODE
