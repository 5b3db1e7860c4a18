using EvalHarness.Cassettes.Format;

namespace EvalHarness.Cassettes.Server;

/// <summary>What a cassette has served and missed, read by the run that drives it.</summary>
public sealed partial class CassetteServer
{
    /// <summary>Returns what was served and missed for a cassette, and forgets it, so the id can be used afresh.</summary>
    /// <remarks>
    /// Waits for a request of the cassette still being handled: a streaming client may stop reading at its
    /// last event while the server is still writing the cassette.
    /// </remarks>
    public async Task<CassetteActivity> TakeActivityAsync(string cassetteId, CancellationToken cancellationToken = default)
    {
        if (!_states.TryGetValue(cassetteId, out var state))
        {
            return CassetteActivity.Empty;
        }

        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            _states.TryRemove(cassetteId, out _);
            await state.CloseUpstreamsAsync();
            return new CassetteActivity([.. state.Served], [.. state.Misses]) { Tools = [.. state.ToolServed] };
        }
        finally
        {
            state.Gate.Release();
        }
    }

    /// <summary>
    /// The interactions one cassette has served so far, leaving its state as it is: a conversation driven turn by turn
    /// reads where each turn's model calls end while the case goes on.
    /// </summary>
    public async Task<IReadOnlyList<Interaction>> ServedSoFarAsync(string cassetteId, CancellationToken cancellationToken = default)
    {
        if (!_states.TryGetValue(cassetteId, out var state))
        {
            return [];
        }

        await state.Gate.WaitAsync(cancellationToken);
        try
        {
            return [.. state.Served];
        }
        finally
        {
            state.Gate.Release();
        }
    }
}
