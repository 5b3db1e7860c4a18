using System.Collections.Concurrent;
using System.Globalization;
using EvalHarness.Cassettes.Server;

namespace EvalHarness.Core.Running;

/// <summary>
/// Advances each case's <see cref="VirtualClock"/> by the latency the cassette server reports for every
/// model call (the recorded latency in replay), found by the cassette id in the request's URL.
/// </summary>
internal sealed class RecordedLatencyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentDictionary<string, VirtualClock> _clocks = new(StringComparer.Ordinal);

    /// <summary>Drives <paramref name="clock"/> from the calls to cassette <paramref name="cassetteId"/> until disposed.</summary>
    public IDisposable Register(string cassetteId, VirtualClock clock)
    {
        _clocks[cassetteId] = clock;
        return new Registration(() => _clocks.TryRemove(cassetteId, out _));
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues(CassetteServer.LatencyHeader, out var values)
            && double.TryParse(values.First(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && CassetteId(request.RequestUri) is { } id
            && _clocks.TryGetValue(id, out var clock))
        {
            clock.Advance(TimeSpan.FromMilliseconds(ms));
        }

        return response;
    }

    private static string? CassetteId(Uri? uri)
    {
        var path = uri?.AbsolutePath ?? string.Empty;
        var at = path.IndexOf("/v1/", StringComparison.Ordinal);
        return path.StartsWith("/c/", StringComparison.Ordinal) && at > 3 ? Uri.UnescapeDataString(path[3..at]) : null;
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
