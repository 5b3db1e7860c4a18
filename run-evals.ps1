#!/usr/bin/env pwsh
# EvalHarness for teams on Windows: run a suite, write its reports, gate it. A thin wrapper over the evalh CLI,
# so behaviour lives in one place.
# Usage: ./run-evals.ps1 [-Suite suites/support.yaml] [-Policy gate.yaml] [-Baseline <run folder>] [-Cassettes cassettes] [-Reports reports]
# Paths you pass are relative to where you are; the defaults are the repository's own.
# Exit code: 0 the gate passed, 1 it failed, 2 bad input (suite, policy, missing or changed cassette) or a failed build.
param(
    [string]$Suite = (Join-Path $PSScriptRoot "suites/support.yaml"),
    [string]$Policy = (Join-Path $PSScriptRoot "gate.yaml"),
    [string]$Baseline = "",
    [string]$Cassettes = (Join-Path $PSScriptRoot "cassettes"),
    [string]$Reports = (Join-Path $PSScriptRoot "reports")
)

$ErrorActionPreference = "Stop"
$cli = Join-Path $PSScriptRoot "src/EvalHarness.Cli"

# Build once; a failed build must not gate an older run.
dotnet build $cli --nologo -v quiet
if ($LASTEXITCODE -ne 0) { Write-Error "The build of $cli failed."; exit 2 }
$evalh = Join-Path $cli "bin/Debug/net10.0/evalh.dll"
$against = if ($Baseline) { @("--baseline", $Baseline) } else { @() }

# Run → report → gate in one step: the run's report.html, summary.md and gate.json carry the gate's verdict,
# which is also the exit code. Rebuild a report later with: dotnet $evalh report <run folder>
dotnet $evalh run $Suite --cassettes $Cassettes --reports $Reports --policy $Policy @against
exit $LASTEXITCODE
