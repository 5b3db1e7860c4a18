namespace EvalHarness.Core.UnderTest;

/// <summary>How a served agent is started for a run (<c>agent: { http: { start: … } }</c>).</summary>
internal sealed record ServiceStart
{
    /// <summary>The command and its arguments, e.g. <c>[dotnet, bin/ShopService.dll]</c>.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>Environment variables the service gets besides the harness's own (<c>start.env</c> and the model base URLs).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The service's working folder: the suite's folder unless <c>cwd</c> says otherwise.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Polled with GET until it answers 2xx; without it the service counts as started once its process runs.</summary>
    public Uri? Ready { get; init; }

    /// <summary>How long the service has to become ready before it is stopped and the run ends.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
