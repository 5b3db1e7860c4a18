#!/usr/bin/env pwsh
# EvalHarness for teams on Windows: a thin wrapper over the evalh CLI, so behaviour lives in one place.
# Usage: ./run-evals.ps1 [-Suite suites/support.yaml] [-Cassettes cassettes] [-Reports reports]
# Exit code: 0 all passed, 1 a scenario failed, 2 bad input (suite, missing or changed cassette).
param(
    [string]$Suite = "suites/support.yaml",
    [string]$Cassettes = "cassettes",
    [string]$Reports = "reports"
)

$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
dotnet run --project src/EvalHarness.Cli -- run $Suite --cassettes $Cassettes --reports $Reports
exit $LASTEXITCODE
