using System.Net;
using System.Text;
using EvalHarness.Agents.Resilience;
using Microsoft.Extensions.AI;

namespace EvalHarness.Agents.Providers;

/// <summary>
/// Runs the code of a model call once, on a thread of its own, while an evaluation loads its suite on another: the resilience pipeline,
/// the built-in runtime's OpenAI client and the SDK's request and response, against an answer held in memory. Without
/// it, the run's first cases load and compile that code all at once, every worker waiting on the others: about a sixth
/// of a 1,000-case replay. Nothing is kept but the loaded code and a pipeline in <see cref="PipelinePool"/>; once per process.
/// </summary>
internal static class OpenAIWarmUp
{
    // What a provider answers to a chat completion, as short as the SDK reads it whole.
    private const string Answer =
        """{"id":"warm-up","object":"chat.completion","created":0,"model":"warm-up","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";

    private static readonly Lazy<Task<bool>> Run = new(() => Task.Run(CallAsync));

    /// <summary>Starts the warm-up, once per process; true once the call was answered (false: it failed, and the run's first call pays as before).</summary>
    public static Task<bool> StartAsync() => Run.Value;

    private static async Task<bool> CallAsync()
    {
        try
        {
            using var http = new HttpClient(new InMemoryAnswer());
            using var inner = new OpenAIChatClient(new Uri("http://warm-up.invalid/v1"), OpenAIChatClient.Pipeline("warm-up", http), "warm-up");
            // The options a replay's built-in agent has by default, so the pipeline it leaves in the pool is the one a case rents.
            using var client = new ResilientChatClient(inner, new ResilienceOptions { SkipDelays = true }, TimeProvider.System);
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "warm-up")]);
            return response.Text == "ok";
        }
        catch (Exception)
        {
            // Whatever went wrong here, the run's own first call loads the same code and reports its own errors; a test
            // (OpenAIWarmUpTests) keeps this call answered.
            return false;
        }
    }

    private sealed class InMemoryAnswer : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Answer, Encoding.UTF8, "application/json") });
    }
}
