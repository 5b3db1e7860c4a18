using System.ClientModel;
using System.Globalization;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace EvalHarness.Agents.Resilience;

/// <summary>Decides which model-call failures are worth retrying, and what the provider asked us to wait.</summary>
public static class TransientFailure
{
    /// <summary>True for 408, 429 and 5xx answers, timeouts and dropped connections; never for other 4xx.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        ClientResultException { Status: 408 or 429 or >= 500 } => true,
        ClientResultException { Status: 0 } e => e.InnerException is HttpRequestException or IOException or TimeoutException,
        ClientResultException => false,
        BrokenCircuitException => false,
        TimeoutRejectedException or TimeoutException or HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>The delay a <c>Retry-After</c> (seconds or HTTP date) or <c>retry-after-ms</c> header asks for, if any.</summary>
    public static TimeSpan? RetryAfter(Exception exception, DateTimeOffset now)
    {
        if (exception is not ClientResultException result || result.GetRawResponse() is not { } response)
        {
            return null;
        }

        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis))
        {
            return TimeSpan.FromMilliseconds(Math.Max(0, millis));
        }

        if (!response.Headers.TryGetValue("retry-after", out var value) || value is null)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at - now is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero : null;
    }
}
